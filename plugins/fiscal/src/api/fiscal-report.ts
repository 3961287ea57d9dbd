import type { FiscalRecord } from '../chain/fiscal-record.js';
import type { FiscalBreak, FiscalVerification } from './fiscal-api.js';

/**
 * What a command or an app shows of a stored record: its id, invoice number, chain
 * position and huella.
 *
 * @example
 * const receipt: InvoiceReceipt = { id: '0190…', series: 'T1-', number: 7, chainIndex: 12, hash: '8F1C…' };
 */
export interface InvoiceReceipt {
  readonly id: string;
  readonly series: string;
  readonly number: number;
  readonly chainIndex: number;
  readonly hash: string;
}

/**
 * The {@link InvoiceReceipt} of a record.
 *
 * @example
 * invoiceReceipt(fiscal.issueInvoice(input)); // { id, series, number, chainIndex, hash }
 */
export function invoiceReceipt(record: FiscalRecord): InvoiceReceipt {
  return { id: record.id, series: record.series, number: record.number, chainIndex: record.chain_index, hash: record.hash };
}

/**
 * One line saying where a chain broke and how.
 *
 * @example
 * describeBreak(result.brokenAt);
 * // 'chain "till-1" is broken at link 2 on this device (preimage): expected "IDEmisor…", found "IDEmisor…"'
 */
export function describeBreak(broken: FiscalBreak): string {
  const where = broken.where === 'device' ? 'on this device' : 'in the cloud';
  return `chain "${broken.chain}" is broken at link ${broken.index} ${where} (${broken.reason}): expected "${broken.expected}", found "${broken.found}"`;
}

/**
 * What a verification found, in words: the counts, then the fault or the agreement.
 *
 * @example
 * describeVerification(await fiscal.verify({ remote: true }));
 * // '2 chain(s), 7 record(s) on this device; in the cloud 2 chain(s), 6 record(s), 1 pending upload: every link holds.'
 */
export function describeVerification(result: FiscalVerification): string {
  const cloud = result.cloud === undefined ? '' : `; in the cloud ${result.cloud.chains} chain(s), ${result.cloud.records} record(s), ${result.cloud.pending} pending upload`;
  const verdict = result.brokenAt === null ? 'every link holds' : describeBreak(result.brokenAt);
  return `${result.chains} chain(s), ${result.records} record(s) on this device${cloud}: ${verdict}.`;
}
