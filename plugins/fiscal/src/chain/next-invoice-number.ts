import type { FiscalRecord } from './fiscal-record.js';

/**
 * The number the next invoice of a series takes: one more than the highest issued
 * (cancellations reuse their invoice's number and do not count), 1 for a new series.
 * Gapless numbering needs one writer per series, so a series belongs to one installation.
 *
 * @example
 * nextInvoiceNumber(records, '89890001K', 'A-'); // 1 when the series is new
 */
export function nextInvoiceNumber(
  records: Iterable<Pick<FiscalRecord, 'issuer_tax_id' | 'series' | 'number' | 'record_kind'>>,
  issuerTaxId: string,
  series: string,
): number {
  let highest = 0;
  for (const record of records) {
    if (record.record_kind === 'issue' && record.issuer_tax_id === issuerTaxId && record.series === series) {
      highest = Math.max(highest, record.number);
    }
  }
  return highest + 1;
}
