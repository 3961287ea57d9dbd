import type { Database, Statement } from 'better-sqlite3';

/**
 * Statements prepared once per key, on first use: the owners of the `_eq_*` tables run
 * the same few statements on every batch, page or run, and preparing costs as much as a
 * small statement's run.
 *
 * @example
 * const statements = new StatementCache(db);
 * statements.get('newest', 'SELECT max(seq) FROM _eq_outbox').pluck().get();
 */
export class StatementCache {
  private readonly statements = new Map<string, Statement>();

  constructor(private readonly db: Database) {}

  /** The statement prepared under `key` (from `sql` the first time). */
  get(key: string, sql: string): Statement {
    let statement = this.statements.get(key);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.statements.set(key, statement);
    }
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
