import { DIGEST_LIMITS, type DigestRow, type IdRange, type RangeDigest } from './digest-protocol.js';

/**
 * The cloud's side of a comparison: digests of id ranges, and listings of small ones.
 *
 * @example
 * const cloud: CloudDigestSource = new CloudDigests(remote, 'clients');
 */
export interface CloudDigestSource {
  digest(ranges: readonly IdRange[]): Promise<RangeDigest[]>;
  list(ranges: readonly IdRange[]): Promise<{ rows: DigestRow[]; more: boolean }[]>;
}

/**
 * The device's side: count and hash of its rows in a range (see `rangeHash`).
 *
 * @example
 * const local: LocalDigest = (range) => digestOfRows(ledger.rows(table, ...range));
 */
export type LocalDigest = (range: IdRange) => { count: number; hash: string };

/**
 * How a comparison went: rows in ranges found equal by hash, ranges looked at, and calls
 * made to the cloud.
 *
 * @example
 * const { equalRows, calls }: RangeComparison = await compareRanges({ cloud, local, onLeaf });
 */
export interface RangeComparison {
  readonly equalRows: number;
  readonly ranges: number;
  readonly calls: number;
}

/**
 * Narrows down where the device and the cloud differ without downloading the table:
 * starting from the whole id space, ranges whose count and hash agree are done; a range
 * that differs is cut at the ids the cloud gives (about {@link DIGEST_LIMITS.fanOut}
 * equal parts) until it holds at most {@link DIGEST_LIMITS.leafRows} cloud rows; then the
 * cloud lists that range's `(id, updated_at, deleted, server_version)` and `onLeaf`
 * compares it with the device's rows. Ranges go to the cloud in batches (at most
 * `maxRanges` per digest call, `maxListRanges` per listing), so each call's work is
 * bounded. A table the device and the cloud hold alike costs one call.
 *
 * @example
 * await compareRanges({ cloud, local, onLeaf: (range, rows) => repairs.compare(range, rows) });
 */
export async function compareRanges(options: {
  readonly cloud: CloudDigestSource;
  readonly local: LocalDigest;
  readonly onLeaf: (range: IdRange, cloudRows: readonly DigestRow[]) => void | Promise<void>;
  /** How the comparison cuts its work (DIGEST_LIMITS' values unless given; tests use small ones). */
  readonly limits?: { readonly [K in 'maxRanges' | 'leafRows' | 'maxListRanges']: number };
}): Promise<RangeComparison> {
  const limits = options.limits ?? DIGEST_LIMITS;
  const pending: IdRange[] = [[null, null]];
  const leaves: IdRange[] = [];
  let equalRows = 0;
  let ranges = 0;
  let calls = 0;
  while (pending.length > 0 || leaves.length > 0) {
    if (pending.length > 0 && leaves.length < limits.maxListRanges) {
      const batch = pending.splice(0, limits.maxRanges);
      const digests = await options.cloud.digest(batch);
      calls += 1;
      batch.forEach((range, index) => {
        ranges += 1;
        const cloud = digests[index]!;
        // A hash the cloud left out (too many rows) cannot match: cut the range first.
        if (cloud.hash !== null) {
          const local = options.local(range);
          if (local.count === cloud.count && local.hash === cloud.hash) {
            equalRows += cloud.count;
            return;
          }
        }
        if (cloud.count <= limits.leafRows || cloud.splits === null || cloud.splits.length === 0) leaves.push(range);
        else pending.push(...cutRange(range, cloud.splits));
      });
      continue;
    }
    const batch = leaves.splice(0, limits.maxListRanges);
    const listings = await options.cloud.list(batch);
    calls += 1;
    for (const [index, range] of batch.entries()) {
      const listing = listings[index]!;
      // Rows arrived since the digest: look again, and cut it this time.
      if (listing.more) pending.push(range);
      else await options.onLeaf(range, listing.rows);
    }
  }
  return { equalRows, ranges, calls };
}

/**
 * `range` cut at `splits`: `[lo, s1), [s1, s2), …, [sn, hi)`. The splits must lie strictly
 * inside the range, in increasing byte-wise order, or a comparison could go round forever.
 *
 * @example
 * cutRange([null, null], ['m']); // [[null, 'm'], ['m', null]]
 */
export function cutRange(range: IdRange, splits: readonly string[]): IdRange[] {
  const [lo, hi] = range;
  let previous = lo;
  for (const split of splits) {
    const inside = (previous === null || compareIds(previous, split) < 0) && (hi === null || compareIds(split, hi) < 0);
    if (!inside) throw new Error(`the cloud cut the id range [${lo ?? '…'}, ${hi ?? '…'}) at "${split}", outside it or out of order`);
    previous = split;
  }
  const bounds = [lo, ...splits, hi];
  return splits.length === 0 ? [range] : bounds.slice(0, -1).map((start, index): IdRange => [start, bounds[index + 1] ?? null]);
}

/**
 * Byte-wise order of UTF-8 text, the order of SQLite's BINARY collation and Postgres'
 * `COLLATE "C"` (JavaScript's `<` compares UTF-16 units, which differs past U+FFFF).
 *
 * @example
 * compareIds('a', 'b'); // -1
 */
export function compareIds(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
