import type { Row } from '../declarations/index.js';
import { MAX_PUSH_BYTES, MAX_PUSH_ROWS } from '../remote/index.js';
import type { OutboxEntry } from '../store/index.js';

/**
 * Most bytes of row JSON the engine puts in one push: half the cloud's cap, so an honest
 * push stays far from it and from the statement timeout, whatever the base versions and
 * the request around the rows add.
 *
 * @example
 * BATCH_BYTES; // 1048576
 */
export const BATCH_BYTES = MAX_PUSH_BYTES / 2;

/**
 * How big one push may be: rows and bytes of row JSON.
 *
 * @example
 * const limits: BatchLimits = batchLimits(500); // { rows: 500, bytes: 1048576 }
 */
export interface BatchLimits {
  readonly rows: number;
  readonly bytes: number;
}

/**
 * The limits of a push for a configured batch size: `batchSize` rows, never more than the
 * cloud takes in one call ({@link MAX_PUSH_ROWS}), and at most {@link BATCH_BYTES}.
 *
 * @example
 * batchLimits(5_000).rows; // 1000
 */
export function batchLimits(batchSize: number): BatchLimits {
  return { rows: Math.max(1, Math.min(Math.floor(batchSize), MAX_PUSH_ROWS)), bytes: BATCH_BYTES };
}

/**
 * The bytes a row takes in a push's `p_rows` (its JSON text, UTF-8); 0 for a row JSON
 * cannot write out (nested thousands deep), which the stage refuses before it travels.
 *
 * @example
 * rowJsonBytes({ id: 'a', label: 'é' }); // 23
 */
export function rowJsonBytes(row: Row): number {
  try {
    return Buffer.byteLength(JSON.stringify(row), 'utf8');
  } catch {
    return 0;
  }
}

/**
 * An upper bound of {@link rowJsonBytes} found without writing the JSON out: each UTF-16
 * unit of a string or key takes at most 6 bytes (`\uXXXX`), a number at most 24
 * characters. A nested value (a json column) or a bigint has no cheap bound: `Infinity`.
 * A push's rows are sized exactly only when their bounds add up past the byte limit, so
 * the usual batch (a few hundred short rows) is not written out twice.
 *
 * @example
 * rowJsonBound({ id: 'a', qty: 2 }) >= rowJsonBytes({ id: 'a', qty: 2 }); // true
 */
export function rowJsonBound(row: Row): number {
  let bytes = 2;
  for (const key in row) {
    const value = row[key];
    if (value === undefined) continue;
    bytes += 6 * key.length + 4; // quotes, colon, comma
    switch (typeof value) {
      case 'string':
        bytes += 6 * value.length + 2;
        break;
      case 'number':
        bytes += 24;
        break;
      case 'boolean':
        bytes += 5;
        break;
      default:
        if (value !== null) return Infinity;
        bytes += 4;
    }
  }
  return bytes;
}

/**
 * Cuts items, in order, into batches of at most `limits.rows` items and `limits.bytes`
 * (each item's size plus one for the separator); an item bigger than `limits.bytes` on
 * its own travels alone.
 *
 * @example
 * cutBatches(entries, (entry) => rowJsonBytes(entry.row), batchLimits(500));
 */
export function cutBatches<T>(items: readonly T[], sizeOf: (item: T) => number, limits: BatchLimits): T[][] {
  const batches: T[][] = [];
  let batch: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = sizeOf(item) + 1;
    if (batch.length > 0 && (batch.length >= limits.rows || bytes + size > limits.bytes)) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(item);
    bytes += size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

/**
 * Outbox entries, in order, as pushes: grouped by table (a push carries one table), each
 * group cut by {@link cutBatches} on its rows' JSON.
 *
 * @example
 * for (const [table, entries] of batchesByTable(store.readOutboxBatch(), batchLimits(500))) await push(table, entries);
 */
export function batchesByTable(entries: readonly OutboxEntry[], limits: BatchLimits): [string, OutboxEntry[]][] {
  const groups = new Map<string, OutboxEntry[]>();
  for (const entry of entries) {
    const group = groups.get(entry.table);
    if (group) group.push(entry);
    else groups.set(entry.table, [entry]);
  }
  const batches: [string, OutboxEntry[]][] = [];
  for (const [table, group] of groups) {
    let bound = 0;
    for (const entry of group) bound += rowJsonBound(entry.row) + 1;
    // Far below the byte limit whatever the rows hold: cut by rows alone.
    const sizeOf = bound <= limits.bytes ? () => 0 : (entry: OutboxEntry) => rowJsonBytes(entry.row);
    for (const batch of cutBatches(group, sizeOf, limits)) batches.push([table, batch]);
  }
  return batches;
}
