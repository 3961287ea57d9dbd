import type { ChainBreak } from './chain-break.js';
import type { FiscalRecord } from './fiscal-record.js';

/**
 * A numbering fault, found before the chains are walked and reported when reached.
 *
 * @example
 * const fault: NumberingFault = { reason: 'number-gap', expected: 'A-3', found: 'A-4' };
 */
export type NumberingFault = Pick<ChainBreak, 'expected' | 'found' | 'reason'>;

/**
 * The numbering faults of a set of records, by record: in each series of each issuer,
 * issued numbers must be exactly 1..n (a gap blames the record after it, a repeat the
 * later record in chain order), and each cancellation must name an issued invoice, by
 * id and issue date, that no other cancellation named; a corrective invoice must name an
 * issued invoice by id. Records are in chain order
 * (installation id, then chain index), which decides who is "later".
 *
 * @example
 * const faults = numberingFaults(records);
 * faults.get(records[4]); // { expected: '5', found: '6', reason: 'number-gap' }
 */
export function numberingFaults(ordered: readonly FiscalRecord[]): Map<FiscalRecord, NumberingFault> {
  const faults = new Map<FiscalRecord, NumberingFault>();
  const series = new Map<string, FiscalRecord[]>();
  const issued = new Map<string, FiscalRecord>();
  for (const record of ordered) {
    if (record.record_kind !== 'issue') continue;
    const key = seriesKey(record);
    const members = series.get(key);
    if (members === undefined) series.set(key, [record]);
    else members.push(record);
    if (!issued.has(invoiceKey(record))) issued.set(invoiceKey(record), record);
  }
  for (const [key, records] of series) {
    const [, seriesName = ''] = key.split('\u0000');
    // A stable sort keeps chain order among equal numbers: the later copy is blamed.
    const byNumber = [...records].sort((a, b) => a.number - b.number);
    let expected = 1;
    for (const record of byNumber) {
      if (record.number < expected) {
        faults.set(record, { reason: 'number-duplicate', expected: `${seriesName}${expected}`, found: `${seriesName}${record.number}` });
        continue;
      }
      if (record.number > expected) {
        faults.set(record, { reason: 'number-gap', expected: `${seriesName}${expected}`, found: `${seriesName}${record.number}` });
      }
      expected = record.number + 1;
    }
  }
  const cancelled = new Set<string>();
  for (const record of ordered) {
    if (record.record_kind !== 'cancellation') continue;
    const key = invoiceKey(record);
    const target = issued.get(key);
    const label = `invoice ${record.series}${record.number} of ${record.issuer_tax_id}`;
    if (target === undefined) {
      faults.set(record, { reason: 'cancellation', expected: `an issued ${label}`, found: 'none' });
    } else if (record.cancels_invoice_id !== target.id || record.issue_date !== target.issue_date) {
      faults.set(record, {
        reason: 'cancellation',
        expected: `${label}: id ${target.id}, issued ${target.issue_date}`,
        found: `id ${String(record.cancels_invoice_id)}, issued ${record.issue_date}`,
      });
    } else if (cancelled.has(key)) {
      faults.set(record, { reason: 'cancellation', expected: `${label} cancelled once`, found: 'a second cancellation' });
    }
    cancelled.add(key);
  }
  const ids = new Map(ordered.map((record) => [record.id, record]));
  for (const record of ordered) {
    if (record.corrects_invoice_id === null || faults.has(record)) continue;
    const target = ids.get(record.corrects_invoice_id);
    if (target?.record_kind !== 'issue') {
      faults.set(record, { reason: 'correction', expected: `an issued invoice with id ${record.corrects_invoice_id}`, found: 'none' });
    }
  }
  return faults;
}

function seriesKey(record: FiscalRecord): string {
  return `${record.issuer_tax_id}\u0000${record.series}`;
}

function invoiceKey(record: FiscalRecord): string {
  return `${seriesKey(record)}\u0000${record.number}`;
}
