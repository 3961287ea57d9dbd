import type { PullPage, RemoteStore } from '../remote/index.js';

/**
 * For `openDevice({ remote })`: the real remote, except that every pulled page goes through
 * `rewrite` first — a cloud that sends a row the device cannot take, or rows no cloud
 * holds. It has no `pullMany` and no live feed, so every page of a run comes through `pull`.
 *
 * @example
 * const device = await openDevice({ name: 'till', tenant, plugins: [plugin],
 *   remote: rewritingPulls((page) => ({ ...page, rows: page.rows.map((row) => ({ ...row, n: 'not a number' })) })) });
 */
export function rewritingPulls(rewrite: (page: PullPage, table: string) => PullPage): (real: RemoteStore) => RemoteStore {
  return (real) => ({
    health: (timeoutMs) => real.health(timeoutMs),
    push: (table, items) => real.push(table, items),
    rpc: (fn, args) => real.rpc(fn, args),
    pull: async (table, cursor, limit) => rewrite(await real.pull(table, cursor, limit), table),
  });
}
