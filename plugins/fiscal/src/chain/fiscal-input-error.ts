/**
 * A record field that cannot enter the chain, named so the caller can point at it.
 * Raised before anything is hashed: a bad value must never become part of a huella.
 *
 * @example
 * try {
 *   canonicalAmount('12,50', 'tax_total');
 * } catch (error) {
 *   if (error instanceof FiscalInputError) console.log(error.field); // 'tax_total'
 * }
 */
export class FiscalInputError extends Error {
  override readonly name = 'FiscalInputError';

  constructor(
    readonly field: string,
    readonly expected: string,
    readonly found: unknown,
  ) {
    super(`fiscal record field "${field}": expected ${expected}, found ${JSON.stringify(found) ?? String(found)}`);
  }
}
