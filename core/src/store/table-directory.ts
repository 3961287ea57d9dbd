import type { Database, Statement } from 'better-sqlite3';
import { quoteIdentifier, type Row } from '../declarations/index.js';
import { decodeRawRow, decodeRow } from './row-codec.js';
import { StoreError } from './store-error.js';
import type { TableContext } from './table-registry.js';

/**
 * The synced tables this store was opened with, by name and by id, plus a cached
 * read of one row. Tables present in the file but not declared now (another process may
 * load more plugins) are left out, so their queued changes wait untouched.
 *
 * @example
 * const context = directory.byName('clients');
 * const row = directory.readRow(context, id);
 */
export class TableDirectory {
  private readonly names = new Map<string, TableContext>();
  private readonly ids = new Map<number, TableContext>();
  private readonly readStatements = new Map<number, Statement<[string], Record<string, unknown>>>();
  private readonly batchStatements = new Map<number, Statement<[string], unknown[]>>();
  /** Made once: the set is fixed, and the status reads it several times a run. */
  private readonly idsText: string;

  constructor(
    private readonly db: Database,
    contexts: readonly TableContext[],
  ) {
    for (const context of contexts) {
      this.names.set(context.definition.name, context);
      this.ids.set(context.id, context);
    }
    this.idsText = JSON.stringify([...this.ids.keys()]);
  }

  /** Every declared table. */
  all(): readonly TableContext[] {
    return [...this.names.values()];
  }

  /** The ids of every declared table, as JSON for `json_each` (bound, never spliced into SQL). */
  idsJson(): string {
    return this.idsText;
  }

  find(name: string): TableContext | undefined {
    return this.names.get(name);
  }

  /** The table called `name`; throws a {@link StoreError} naming it when it is not declared. */
  byName(name: string): TableContext {
    const context = this.names.get(name);
    if (context === undefined) throw new StoreError(`table "${name}" is not declared by any loaded plugin`);
    return context;
  }

  byId(id: number): TableContext | undefined {
    return this.ids.get(id);
  }

  /**
   * Rows by id, tombstones included, decoded, in one statement: a batch of the queue
   * reads its rows at once rather than one query each. Absent ids are left out.
   */
  readRows(context: TableContext, ids: readonly string[]): Map<string, Row> {
    let statement = this.batchStatements.get(context.id);
    if (statement === undefined) {
      // Raw mode: arrays, decoded here, cost less than better-sqlite3's object per row.
      const sql = `SELECT * FROM ${quoteIdentifier(context.definition.name)} WHERE id IN (SELECT value FROM json_each(?))`;
      statement = this.db.prepare<[string], unknown[]>(sql).raw(true);
      this.batchStatements.set(context.id, statement);
    }
    // Asked each time: `*` follows the table if a migration widened it.
    const names = statement.columns().map((column) => column.name);
    const idAt = names.indexOf('id');
    const rows = new Map<string, Row>();
    for (const values of statement.all(JSON.stringify(ids))) rows.set(values[idAt] as string, decodeRawRow(context, names, values));
    return rows;
  }

  /** One row by id, tombstones included, decoded; `undefined` when absent. */
  readRow(context: TableContext, id: string): Row | undefined {
    let statement = this.readStatements.get(context.id);
    if (statement === undefined) {
      statement = this.db.prepare(`SELECT * FROM ${quoteIdentifier(context.definition.name)} WHERE id = ?`);
      this.readStatements.set(context.id, statement);
    }
    const raw = statement.get(id);
    return raw === undefined ? undefined : decodeRow(context, raw);
  }
}
