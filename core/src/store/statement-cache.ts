import type { Database, Statement } from 'better-sqlite3';

/** How many statements a cache keeps: past it, the least recently used one goes. */
const DEFAULT_MAX_STATEMENTS = 256;

/**
 * Statements prepared once per key, on first use: the owners of the `_eq_*` tables run
 * the same few statements on every batch, page or run, and preparing costs as much as a
 * small statement's run. Bounded (least recently used out first), so keys that vary
 * with a caller's input — a limit asked for, a set of filter columns — cannot grow it
 * without end.
 *
 * @example
 * const statements = new StatementCache(db);
 * statements.get('newest', 'SELECT max(seq) FROM _eq_outbox').pluck().get();
 */
export class StatementCache {
  private readonly statements = new Map<string, Statement>();

  constructor(
    private readonly db: Database,
    private readonly maxStatements: number = DEFAULT_MAX_STATEMENTS,
  ) {}

  /** The statement prepared under `key` (from `sql` the first time). */
  get(key: string, sql: string): Statement {
    let statement = this.statements.get(key);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      if (this.statements.size >= this.maxStatements) this.statements.delete(this.statements.keys().next().value as string);
    } else {
      // Moved to the end: the map's order is the order of last use.
      this.statements.delete(key);
    }
    this.statements.set(key, statement);
    return statement;
  }

  /**
   * The statement of `sql`, prepared on first use, with its parameters typed.
   *
   * @example
   * statements.bySql<[string]>('SELECT * FROM clients WHERE tax_id = ?').get('B12345678');
   */
  bySql<P extends unknown[]>(sql: string): Statement<P> {
    return this.get(sql, sql) as unknown as Statement<P>;
  }
}

/**
 * `LIMIT n`, written into a statement's text. SQLite plans with a bound LIMIT's value
 * and so marks the statement to be prepared again whenever that parameter is bound —
 * on every run, with better-sqlite3: 2.5 µs on a one-table SELECT, 10 µs on the status's
 * lists, each run. With the limit in the text, each limit is one statement prepared once.
 *
 * @example
 * statements.get(`failed:${limit}`, `SELECT seq FROM _eq_outbox ORDER BY seq ${limitClause(limit)}`);
 */
export function limitClause(limit: number): string {
  if (!Number.isSafeInteger(limit) || limit < 0) throw new RangeError(`limit must be a non-negative integer, got ${limit}`);
  return `LIMIT ${limit}`;
}
