import { createHash } from 'node:crypto';

/**
 * A range of ids, `lo` included and `hi` excluded, compared byte-wise (SQLite's BINARY
 * collation, Postgres `COLLATE "C"`); `null` leaves that end open. `[null, null]` is the
 * whole table.
 *
 * @example
 * const whole: IdRange = [null, null];
 * const firstHalf: IdRange = [null, '0190'];
 */
export type IdRange = readonly [lo: string | null, hi: string | null];

/**
 * What each side says of one {@link IdRange}: how many rows, a hash of their `(id,
 * updated_at, deleted)` in id order (`null` when the cloud found the range too large to
 * hash in one go), and, from the cloud, ids that cut a large range into about equal parts.
 *
 * @example
 * const digest: RangeDigest = { count: 3, hash: 'c4ca4238a0b923820dcc509a6f75849b', splits: null };
 */
export interface RangeDigest {
  readonly count: number;
  readonly hash: string | null;
  readonly splits: readonly string[] | null;
}

/**
 * One row as the comparison sees it: enough to tell which side holds the later version.
 * `serverVersion` is the cloud's (null on the device's side).
 *
 * @example
 * const row: DigestRow = { id: 'a1', updatedAt: '1718000000000-000000-till', deleted: false, serverVersion: 12 };
 */
export interface DigestRow {
  readonly id: string;
  readonly updatedAt: string;
  readonly deleted: boolean;
  readonly serverVersion: number | string | null;
}

/**
 * Limits shared by `eq_digest` / `eq_digest_rows` and the device, so each call's work
 * in the cloud stays bounded whatever the table's size.
 *
 * @example
 * ranges.length <= DIGEST_LIMITS.maxRanges;
 */
export const DIGEST_LIMITS = {
  /** Ranges one `eq_digest` call may ask about. */
  maxRanges: 64,
  /** The cloud hashes a range of at most this many rows; a larger one must be split. */
  maxHashRows: 10_000,
  /** A range of at most this many cloud rows is listed rather than split further. */
  leafRows: 256,
  /** Into how many parts the cloud cuts a range larger than a leaf. */
  fanOut: 16,
  /** Ranges one `eq_digest_rows` call may list. */
  maxListRanges: 16,
  /** Rows one range's listing may hold; past it the answer says `more` and the range is split instead. */
  maxListRows: 1_000,
} as const;

/**
 * The hash both sides compute over a range's rows, given in id order: md5 of the lines
 * `id TAB updated_at TAB 0|1` joined by newlines (md5 of the empty string for no rows).
 * The cloud computes it in SQL (see `digestFunctionsSql`), byte for byte the same.
 *
 * @example
 * rangeHash([{ id: 'a', updatedAt: 'h1', deleted: false }]); // md5('a\th1\t0')
 */
export function rangeHash(rows: Iterable<{ readonly id: string; readonly updatedAt: string; readonly deleted: boolean }>): string {
  const hash = createHash('md5');
  let first = true;
  for (const row of rows) {
    hash.update(`${first ? '' : '\n'}${row.id}\t${row.updatedAt}\t${row.deleted ? '1' : '0'}`, 'utf8');
    first = false;
  }
  return hash.digest('hex');
}
