/**
 * A fiscal operation that cannot be done as asked: an unknown invoice, a second
 * cancellation, a missing installation key. Field problems are `FiscalInputError`s.
 *
 * @example
 * try {
 *   fiscal.cancelInvoice(id);
 * } catch (error) {
 *   if (error instanceof FiscalError) console.error(error.message); // 'invoice T1-7 is already cancelled'
 * }
 */
export class FiscalError extends Error {
  override readonly name = 'FiscalError';
  /** The input the operation lacks, when that is what stops it (e.g. `issuerTaxId` for a device's first invoice). */
  readonly missing: string | undefined;

  constructor(message: string, options: { readonly missing?: string } = {}) {
    super(message);
    this.missing = options.missing;
  }
}
