import type { FieldProblem } from './field-problem.js';
import type { FiscalRecord } from './fiscal-record.js';

/**
 * The most digits an amount may have before its decimal point: the AEAT's amount type
 * (`ImporteSgn12.2Type`, 12 integer digits and 2 decimals) cannot carry more.
 *
 * @example
 * '123456789012.00'.split('.')[0].length <= MAX_AMOUNT_DIGITS; // true
 */
export const MAX_AMOUNT_DIGITS = 12;

/** The invoices that sell: their amounts are never negative (a refund is a corrective invoice, R1 to R5). */
const SELLING_TYPES: readonly string[] = ['F1', 'F2', 'F3'];

/**
 * What is wrong with the amounts of a new issue record, or `undefined`: each amount at
 * most {@link MAX_AMOUNT_DIGITS} digits before the point; on an F1, F2 or F3 neither
 * amount negative and the tax no more than the total it is part of. Corrective invoices
 * may be negative and may move tax alone. A cancellation repeats the amounts of the
 * invoice it cancels, checked when that was issued, so it is not checked again. The
 * cloud's chain guard (chain-guard-sql.ts) applies the same rules to every new link.
 * Amounts must already be canonical (`canonicalAmount`): they are compared as exact
 * integers of cents.
 *
 * @example
 * amountProblem({ record_kind: 'issue', invoice_type: 'F1', tax_total: '30.00', gross_total: '20.00' });
 * // { field: 'tax_total', expected: 'at most gross_total (20.00): the total includes the tax', found: '"30.00"' }
 */
export function amountProblem(record: Pick<FiscalRecord, 'record_kind' | 'invoice_type' | 'tax_total' | 'gross_total'>): FieldProblem | undefined {
  if (record.record_kind !== 'issue') return undefined;
  for (const field of ['tax_total', 'gross_total'] as const) {
    const digits = record[field].replace(/^-/, '').split('.')[0] ?? '';
    if (digits.length > MAX_AMOUNT_DIGITS) {
      return { field, expected: `at most ${MAX_AMOUNT_DIGITS} digits before the decimal point`, found: JSON.stringify(record[field]) };
    }
  }
  if (!SELLING_TYPES.includes(record.invoice_type)) return undefined;
  for (const field of ['gross_total', 'tax_total'] as const) {
    if (record[field].startsWith('-')) {
      return { field, expected: `an amount of 0.00 or more on an ${record.invoice_type} invoice (a refund is a corrective invoice, R1 to R5)`, found: JSON.stringify(record[field]) };
    }
  }
  if (cents(record.tax_total) > cents(record.gross_total)) {
    return { field: 'tax_total', expected: `at most gross_total (${record.gross_total}): the total includes the tax`, found: JSON.stringify(record.tax_total) };
  }
  return undefined;
}

/** A canonical amount in cents, exactly. */
function cents(amount: string): bigint {
  return BigInt(amount.replace('.', ''));
}
