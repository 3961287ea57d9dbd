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
}
