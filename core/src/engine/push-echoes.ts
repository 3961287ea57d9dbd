import type { PullCursor, PushEcho } from '../remote/index.js';

/**
 * Echoes a cursor carries at most: beyond them the device just pulls its own rows back.
 * Pushes of one table follow one another, so their echoes chain into one but where
 * someone else's write came between.
 */
const MAX_ECHOES_PER_TABLE = 64;

/**
 * The echoes of one run's pushes, by table, from the upload stage to the pull stage: what
 * lets the pull move past the rows the device just pushed instead of fetching them back.
 * Kept in memory for the run only — a run that stops between the two just pulls them, as
 * the rows' versions are what the device already holds.
 *
 * @example
 * const echoes = new PushEchoes();
 * echoes.add('clients', [40, 52]);
 * echoes.add('clients', [52, 60]);
 * echoes.take('clients'); // [[40, 60]]
 */
export class PushEchoes {
  private readonly byTable = new Map<string, PushEcho[]>();

  add(table: string, echo: PushEcho): void {
    const echoes = this.byTable.get(table);
    if (echoes === undefined) this.byTable.set(table, [echo]);
    else echoes.push(echo);
  }

  /** The table's echoes, chained where one push followed another, and forgets them. */
  take(table: string): PushEcho[] {
    const echoes = this.byTable.get(table) ?? [];
    this.byTable.delete(table);
    const chained: [number, number][] = [];
    for (const [after, last] of [...echoes].sort((a, b) => a[0] - b[0] || a[1] - b[1])) {
      const previous = chained.at(-1);
      if (previous !== undefined && previous[1] === after) previous[1] = Math.max(previous[1], last);
      else chained.push([after, last]);
    }
    return chained.slice(0, MAX_ECHOES_PER_TABLE);
  }
}

/**
 * The cursor a pull sends: the stored one with the run's echoes of the table (`null`, the
 * start, as version 0 — the cloud starts there for a null cursor too).
 *
 * @example
 * remote.pull('clients', withEchoes(stored, echoes.take('clients')), 1000);
 */
export function withEchoes(cursor: PullCursor | null, echoes: readonly PushEcho[]): PullCursor | null {
  return echoes.length === 0 ? cursor : { ...(cursor ?? { server_version: 0 }), echo: echoes };
}
