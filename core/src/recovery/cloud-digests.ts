import type { RemoteStore } from '../remote/index.js';
import { describeAnswer, protocolError } from '../remote/response-guards.js';
import type { DigestRow, IdRange, RangeDigest } from './digest-protocol.js';
import type { CloudDigestSource } from './range-compare.js';

/**
 * The cloud's digests of one table through `eq_digest` / `eq_digest_rows`, with the
 * device's token (row-level security: its tenant's rows only). Answers are checked
 * before use: one the engine cannot read is a protocol error naming the migration.
 *
 * @example
 * const cloud = new CloudDigests(remote, 'clients');
 * const [whole] = await cloud.digest([[null, null]]);
 */
export class CloudDigests implements CloudDigestSource {
  constructor(
    private readonly remote: RemoteStore,
    private readonly table: string,
  ) {}

  async digest(ranges: readonly IdRange[]): Promise<RangeDigest[]> {
    const data = await this.remote.rpc<unknown>('eq_digest', { p_table: this.table, p_ranges: ranges });
    if (!Array.isArray(data) || data.length !== ranges.length || !data.every(isDigest)) {
      throw protocolError('rpc', this.table, `eq_digest: expected ${ranges.length} { count, hash, splits }, got ${describeAnswer(data)}`);
    }
    return data.map((item) => ({ count: Number(item.count), hash: item.hash, splits: item.splits }));
  }

  async list(ranges: readonly IdRange[]): Promise<{ rows: DigestRow[]; more: boolean }[]> {
    const data = await this.remote.rpc<unknown>('eq_digest_rows', { p_table: this.table, p_ranges: ranges });
    if (!Array.isArray(data) || data.length !== ranges.length || !data.every(isListing)) {
      throw protocolError('rpc', this.table, `eq_digest_rows: expected ${ranges.length} { rows, more }, got ${describeAnswer(data)}`);
    }
    return data.map((item) => ({
      more: item.more,
      rows: item.rows.map(([id, updatedAt, deleted, serverVersion]) => ({ id, updatedAt, deleted, serverVersion })),
    }));
  }
}

interface DigestAnswer {
  count: number | string;
  hash: string | null;
  splits: string[] | null;
}

function isDigest(item: unknown): item is DigestAnswer {
  const answer = item as Partial<DigestAnswer> | null;
  return (
    typeof answer === 'object' &&
    answer !== null &&
    (typeof answer.count === 'number' || (typeof answer.count === 'string' && /^\d+$/.test(answer.count))) &&
    (answer.hash === null || typeof answer.hash === 'string') &&
    (answer.splits === null || (Array.isArray(answer.splits) && answer.splits.every((split) => typeof split === 'string')))
  );
}

type ListedRow = [string, string, boolean, number | string];

function isListing(item: unknown): item is { rows: ListedRow[]; more: boolean } {
  const answer = item as { rows?: unknown; more?: unknown } | null;
  return (
    typeof answer === 'object' &&
    answer !== null &&
    typeof answer.more === 'boolean' &&
    Array.isArray(answer.rows) &&
    answer.rows.every(
      (row: unknown) =>
        Array.isArray(row) &&
        row.length === 4 &&
        typeof row[0] === 'string' &&
        typeof row[1] === 'string' &&
        typeof row[2] === 'boolean' &&
        (typeof row[3] === 'number' || typeof row[3] === 'string'),
    )
  );
}
