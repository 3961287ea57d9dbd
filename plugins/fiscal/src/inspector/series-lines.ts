import type { FiscalRecord } from '../chain/fiscal-record.js';
import type { CloudMark } from '../api/cloud-marks.js';

/**
 * One series of invoices as the inspector shows it: how many records it holds, its
 * highest invoice number, its last record (by chain position) and how many of its
 * records the cloud was seen to hold.
 *
 * @example
 * const line: SeriesLine = { series: 'T1-', installation: 'till-1', documents: 3, lastNumber: 3, lastHash: '8F1C…', lastDate: '2026-12-05', synced: 2, waiting: 1 };
 */
export interface SeriesLine {
  readonly series: string;
  readonly installation: string;
  /** Issues, corrections and cancellations alike: every record is a link of the chain. */
  readonly documents: number;
  /** The highest number issued in the series (a cancellation repeats its invoice's number). */
  readonly lastNumber: number;
  readonly lastHash: string;
  readonly lastDate: string;
  /** Records at or below the chain length the cloud was seen to hold. */
  readonly synced: number;
  /** Records past it: not uploaded yet, or uploaded but not pulled back yet. */
  readonly waiting: number;
}

/**
 * Groups `records` by series (a series belongs to one installation) and counts each
 * series' records against `marks`, the chain lengths the cloud was last seen to hold:
 * a link at or below its chain's mark is in the cloud. Lines are sorted by series.
 *
 * @example
 * seriesLines(fiscal.records(), marks.read());
 * // [{ series: 'T1-', installation: 'till-1', documents: 3, lastNumber: 3, …, synced: 3, waiting: 0 }]
 */
export function seriesLines(records: readonly FiscalRecord[], marks: ReadonlyMap<string, CloudMark>): SeriesLine[] {
  const groups = new Map<string, FiscalRecord[]>();
  for (const record of records) {
    const key = `${record.installation_id}\u0000${record.series}`;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [record]);
    else group.push(record);
  }
  const lines = [...groups.values()].map((group) => {
    const last = group.reduce((latest, record) => (record.chain_index > latest.chain_index ? record : latest));
    const inCloud = marks.get(last.installation_id)?.links ?? 0;
    const synced = group.filter((record) => record.chain_index <= inCloud).length;
    return {
      series: last.series,
      installation: last.installation_id,
      documents: group.length,
      lastNumber: group.reduce((highest, record) => Math.max(highest, record.number), 0),
      lastHash: last.hash,
      lastDate: last.issue_date,
      synced,
      waiting: group.length - synced,
    };
  });
  return lines.sort((a, b) => compare(a.series, b.series) || compare(a.installation, b.installation));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
