import type { Database, Statement } from 'better-sqlite3';
import { quoteIdentifier, type Row } from '../declarations/index.js';
import type { LocalDirectory } from './local-directory.js';
import type { SqliteValue } from './row-codec.js';
import { StoreError } from './store-error.js';
import { StatementCache } from './statement-cache.js';

/**
 * Options of a view read.
 *
 * @example
 * context.store.view('clients_by_city', {}, { orderBy: ['city'] });
 */
export interface ViewReadOptions {
  /** Columns to sort by, ascending (SQLite's BINARY order for text); without it the order is SQLite's. */
  readonly orderBy?: readonly string[];
}

/**
 * Reads a plugin's own views (declared in `contributes.views`). A view's columns are
 * whatever its SELECT names, so rows come back as SQLite gives them (booleans as 0/1,
 * JSON as text); filters take text, numbers, booleans and null.
 *
 * @example
 * new ViewReader('acme-orders', { db, locals }).read('order_totals', { order_id: id });
 */
export class ViewReader {
  private readonly columns = new Map<string, ReadonlySet<string>>();
  private statementCache: StatementCache | undefined;

  constructor(
    readonly plugin: string,
    private readonly deps: { readonly db: Database; readonly locals: LocalDirectory },
  ) {}

  /** Rows of the view whose columns equal every value in `where` (`null` matches NULL). */
  read(view: string, where: Row = {}, options: ViewReadOptions = {}): Row[] {
    this.deps.locals.view(view, this.plugin);
    const columns = this.columnsOf(view);
    const names: string[] = [];
    const values: SqliteValue[] = [];
    for (const [name, value] of Object.entries(where)) {
      if (value === undefined) continue;
      names.push(this.column(view, columns, name));
      values.push(filterValue(this.plugin, view, name, value));
    }
    const order = (options.orderBy ?? []).map((name) => quoteIdentifier(this.column(view, columns, name)));
    const sql =
      `SELECT * FROM ${quoteIdentifier(view)}` +
      (names.length === 0 ? '' : ` WHERE ${names.map((name) => `${quoteIdentifier(name)} IS ?`).join(' AND ')}`) +
      (order.length === 0 ? '' : ` ORDER BY ${order.join(', ')}`);
    return this.statement(sql).all(...values) as Row[];
  }

  private columnsOf(view: string): ReadonlySet<string> {
    let columns = this.columns.get(view);
    if (columns === undefined) {
      columns = new Set(this.deps.db.prepare(`SELECT * FROM ${quoteIdentifier(view)}`).columns().map((column) => column.name));
      this.columns.set(view, columns);
    }
    return columns;
  }

  private column(view: string, columns: ReadonlySet<string>, name: string): string {
    if (!columns.has(name)) throw new StoreError(`plugin "${this.plugin}" view "${view}": unknown column "${name}" (it has ${[...columns].join(', ')})`);
    return name;
  }

  private statement(sql: string): Statement<SqliteValue[]> {
    this.statementCache ??= new StatementCache(this.deps.db);
    return this.statementCache.bySql<SqliteValue[]>(sql);
  }
}

function filterValue(plugin: string, view: string, column: string, value: unknown): SqliteValue {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint') return value;
  throw new StoreError(`plugin "${plugin}" view "${view}" column "${column}": a filter takes text, a number, a boolean or null, got ${typeof value}`);
}
