/**
 * Where a refused row stands: it waits until `until`, and the rows of its ordering key wait behind it.
 *
 * @example
 * const blocker: Blocker = { id: 'a1', until: Date.now() + 1000 };
 */
export interface Blocker {
  readonly id: string;
  readonly until: number;
}

/**
 * The rows refused during one upload run, whether by the device (a limit, a hook) or by
 * the cloud, and the rows held back behind them. None is sent again in the same run,
 * however short its backoff, so a run always ends; and in a table with an ordering key a
 * refused row holds back the later rows of its key for the rest of the run.
 *
 * @example
 * const refused = new RefusedRows();
 * refused.add('lines', 'a1', '["series-a"]', Date.now() + 1000);
 * refused.hold('lines', 'a2'); // waits behind a1
 * store.readOutboxBatch({ skipRows: refused.rows() });
 * refused.blocker('lines', '["series-a"]'); // { id: 'a1', until: … }
 */
export class RefusedRows {
  private readonly refused: { table: string; id: string }[] = [];
  private readonly blockers = new Map<string, Map<string, Blocker>>();

  /** Records a refusal; `key` is the row's ordering key (JSON), when its table has one. */
  add(table: string, id: string, key: string | undefined, until: number): void {
    this.refused.push({ table, id });
    if (key === undefined) return;
    let keys = this.blockers.get(table);
    if (keys === undefined) this.blockers.set(table, (keys = new Map()));
    if (!keys.has(key)) keys.set(key, { id, until });
  }

  /** Records a row held back behind a refused one: left out of the run's next reads, blocking nothing. */
  hold(table: string, id: string): void {
    this.refused.push({ table, id });
  }

  /** The refused and held rows, to leave out of the run's next reads. */
  rows(): readonly { table: string; id: string }[] {
    return this.refused;
  }

  /** The first row of `table` refused in this run with ordering key `key`, if any. */
  blocker(table: string, key: string): Blocker | undefined {
    return this.blockers.get(table)?.get(key);
  }
}
