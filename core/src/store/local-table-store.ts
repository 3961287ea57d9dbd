import type { Database, Statement } from 'better-sqlite3';
import { quoteIdentifier, type Row } from '../declarations/index.js';
import { encodingFailureRule, storedValueViolation } from './column-check.js';
import type { LocalDirectory, LocalTableContext } from './local-directory.js';
import type { LocalWriteGuard } from './local-write-guard.js';
import { decodeValue, encodeValue, type SqliteValue } from './row-codec.js';
import { ColumnLimitError, StoreError } from './store-error.js';
import { StatementCache } from './statement-cache.js';

/**
 * What a {@link LocalTableStore} needs from the store that made it.
 *
 * @example
 * new LocalTableStore('acme-rates', { db, locals, guard }); // normally `scoped.local`
 */
export interface LocalTableStoreDeps {
  readonly db: Database;
  readonly locals: LocalDirectory;
  readonly guard: LocalWriteGuard;
}

/**
 * A plugin's door to its local tables (declared in `contributes.localTables`): rows kept
 * on this device only, never queued for sync. Values are checked and converted as for
 * synced tables (booleans, JSON, timestamps, the columns' limits). The store is the only
 * writer: plain SQL from elsewhere is refused by the tables' guard triggers.
 *
 * @example
 * const rates = context.store.local;
 * rates.replaceAll('exchange_rates', [{ currency: 'EUR', rate: 1 }, { currency: 'USD', rate: 1.08 }]);
 * rates.upsert('exchange_rates', { currency: 'GBP', rate: 0.85 });
 * rates.query('exchange_rates', { currency: 'USD' }); // [{ currency: 'USD', rate: 1.08 }]
 * rates.delete('exchange_rates', { currency: 'GBP' }); // 1
 */
export class LocalTableStore {
  private statementCache: StatementCache | undefined;

  constructor(
    readonly plugin: string,
    private readonly deps: LocalTableStoreDeps,
  ) {}

  /** Rows whose columns equal every value in `where` (`null` matches NULL), in primary-key order. */
  query(table: string, where: Row = {}): Row[] {
    const context = this.own(table);
    const { names, values } = this.encode(context, where, undefined);
    const sql = `SELECT * FROM ${quoteIdentifier(table)}${whereSql(names)} ORDER BY ${context.definition.primaryKey.map(quoteIdentifier).join(', ')}`;
    return (this.statement(sql).all(...values) as Record<string, unknown>[]).map((raw) => decode(context, raw));
  }

  /**
   * Inserts the row, or changes the given columns of the row with its primary key; the
   * others keep their values (or get their defaults, for a new row). Returns it as stored.
   */
  upsert(table: string, row: Row): Row {
    const context = this.own(table);
    const { names, values } = this.encode(context, row, this.key(context, row));
    const keyColumns = context.definition.primaryKey;
    const keyValues = keyColumns.map((column) => values[names.indexOf(column)] as SqliteValue);
    const keyWhere = ` WHERE ${keyColumns.map((column) => `${quoteIdentifier(column)} = ?`).join(' AND ')}`;
    const changed = names.filter((name) => !keyColumns.includes(name));
    // An UPDATE of the given columns, not INSERT … ON CONFLICT: SQLite checks NOT NULL on the
    // inserted row before it finds the conflict, so a partial row of an existing key would be refused.
    this.deps.guard.write(() => {
      const exists = this.statement(`SELECT 1 FROM ${quoteIdentifier(table)}${keyWhere}`).get(...keyValues) !== undefined;
      if (!exists) this.statement(insertSql(table, names)).run(...values);
      else if (changed.length > 0) {
        const sets = changed.map((name) => `${quoteIdentifier(name)} = ?`).join(', ');
        this.statement(`UPDATE ${quoteIdentifier(table)} SET ${sets}${keyWhere}`).run(...changed.map((name) => values[names.indexOf(name)] as SqliteValue), ...keyValues);
      }
    });
    return this.query(table, Object.fromEntries(keyColumns.map((column) => [column, row[column]])))[0] as Row;
  }

  /** Removes the rows matching `where` (every row when it is empty); returns how many. */
  delete(table: string, where: Row): number {
    const context = this.own(table);
    const { names, values } = this.encode(context, where, undefined);
    return this.deps.guard.write(() => this.statement(`DELETE FROM ${quoteIdentifier(table)}${whereSql(names)}`).run(...values).changes);
  }

  /**
   * Makes `rows` the table's whole content, in one transaction: a reader sees the old
   * rows or the new ones, never a mix, and a refused row leaves the old ones. Returns how many.
   */
  replaceAll(table: string, rows: readonly Row[]): number {
    const context = this.own(table);
    const encoded = rows.map((row) => this.encode(context, row, this.key(context, row)));
    this.deps.guard.write(() => {
      this.statement(`DELETE FROM ${quoteIdentifier(table)}`).run();
      for (const { names, values } of encoded) this.statement(insertSql(table, names)).run(...values);
    });
    return rows.length;
  }

  private own(table: string): LocalTableContext {
    return this.deps.locals.localTable(table, this.plugin);
  }

  /** The row's primary key as text, for messages; every key column must be given. */
  private key(context: LocalTableContext, row: Row): string {
    const missing = context.definition.primaryKey.filter((column) => row[column] === undefined || row[column] === null);
    if (missing.length > 0) throw this.error(context, `a row needs its primary key column(s) ${missing.join(', ')}`);
    return context.definition.primaryKey.map((column) => String(row[column])).join(', ');
  }

  /** Declared columns only. Written values (`rowKey` given) must keep their columns' limits; filters need not. */
  private encode(context: LocalTableContext, row: Row, rowKey: string | undefined): { names: string[]; values: SqliteValue[] } {
    const names: string[] = [];
    const values: SqliteValue[] = [];
    for (const [name, value] of Object.entries(row)) {
      if (value === undefined) continue;
      const column = context.columns.get(name);
      if (column === undefined) throw this.error(context, `unknown column "${name}"`);
      let encoded: SqliteValue;
      try {
        encoded = rowKey === undefined && value === null ? null : encodeValue(context.definition, column, value, rowKey);
      } catch (error) {
        const rule = rowKey === undefined ? undefined : encodingFailureRule(column, value, error);
        if (rule !== undefined && rowKey !== undefined) throw new ColumnLimitError(this.plugin, context.definition.name, rowKey, name, rule);
        throw error;
      }
      if (rowKey !== undefined && encoded !== null) {
        const rule = storedValueViolation(column, encoded);
        if (rule !== undefined) throw new ColumnLimitError(this.plugin, context.definition.name, rowKey, name, rule);
      }
      names.push(name);
      values.push(encoded);
    }
    return { names, values };
  }

  private statement(sql: string): Statement<SqliteValue[]> {
    this.statementCache ??= new StatementCache(this.deps.db);
    return this.statementCache.bySql<SqliteValue[]>(sql);
  }

  private error(context: LocalTableContext, message: string): StoreError {
    return new StoreError(`plugin "${this.plugin}" local table "${context.definition.name}": ${message}`);
  }
}

function insertSql(table: string, names: readonly string[]): string {
  return `INSERT INTO ${quoteIdentifier(table)} (${names.map(quoteIdentifier).join(', ')}) VALUES (${names.map(() => '?').join(', ')})`;
}

function whereSql(names: readonly string[]): string {
  return names.length === 0 ? '' : ` WHERE ${names.map((name) => `${quoteIdentifier(name)} IS ?`).join(' AND ')}`;
}

// Not the synced tables' decodeRow: a local table may well have a column called `deleted`, which is no tombstone flag here.
function decode(context: LocalTableContext, raw: Record<string, unknown>): Row {
  const row: Row = {};
  for (const name in raw) row[name] = raw[name] === null ? null : decodeValue(context.columns.get(name), raw[name]);
  return row;
}
