import type { Row } from '../declarations/index.js';
import type { PullCursor, RemoteStore } from '../remote/index.js';
import { sleep } from './polling.js';

/**
 * Every row a pull delivered, page by page, and where it stopped.
 *
 * @example
 * const { rows, pages, cursor }: Pulled = await pullAll(remote, 'notes');
 */
export interface Pulled {
  readonly rows: Row[];
  readonly pages: number;
  readonly cursor: PullCursor | null;
}

/**
 * Pulls page after page until the cloud says there is no more. Other test files commit
 * into the same cloud at the same time, and an open transaction anywhere holds the
 * snapshot horizon back, so rows may arrive a moment late: `until` keeps pulling (from
 * where it stopped, never re-reading) until it holds, for at most `timeoutMs` (10 s).
 *
 * @example
 * const { rows } = await pullAll(remote, 'notes', { until: hasIds([id]) });
 */
export async function pullAll(
  remote: RemoteStore,
  table: string,
  options: { cursor?: PullCursor | null; limit?: number; until?: (rows: readonly Row[]) => boolean; timeoutMs?: number } = {},
): Promise<Pulled> {
  const rows: Row[] = [];
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  let cursor = options.cursor ?? null;
  let pages = 0;
  for (;;) {
    const page = await remote.pull(table, cursor, options.limit ?? 1000);
    pages += 1;
    rows.push(...page.rows);
    cursor = page.cursor;
    if (page.has_more) continue;
    if (options.until === undefined || options.until(rows) || Date.now() > deadline) return { rows, pages, cursor };
    await sleep(50);
  }
}

/**
 * A `pullAll` condition: every id in `ids` is among the rows.
 *
 * @example
 * await pullAll(remote, 'notes', { until: hasIds([a.id, b.id]) });
 */
export function hasIds(ids: readonly unknown[]): (rows: readonly Row[]) => boolean {
  return (rows) => {
    const seen = new Set(rows.map((row) => row.id));
    return ids.every((id) => seen.has(id));
  };
}
