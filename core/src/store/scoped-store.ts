import type { Database, Statement } from 'better-sqlite3';
import { newRecordId, type HybridLogicalClock } from '../clock/index.js';
import { quoteIdentifier, SYSTEM_COLUMNS, type ColumnDefinition, type Row } from '../declarations/index.js';
import { encodingFailureRule, storedValueViolation } from './column-check.js';
import type { ChangeSignal } from './change-signal.js';
import type { LocalDirectory } from './local-directory.js';
import { LocalTableStore } from './local-table-store.js';
import type { LocalWriteGuard } from './local-write-guard.js';
import { storedDefault } from './sqlite-columns.js';
import { decodeValue, encodeValue, type SqliteValue } from './row-codec.js';
import { RowChanges, type ChangeKind } from './row-change.js';
import { ColumnLimitError, StoreError } from './store-error.js';
import type { TableDirectory } from './table-directory.js';
import type { TableContext } from './table-registry.js';
import { ViewReader, type ViewReadOptions } from './view-reader.js';
import { StatementCache } from './statement-cache.js';

const SYSTEM_COLUMN_NAMES: ReadonlySet<string> = new Set(SYSTEM_COLUMNS);

/**
 * What a scoped store needs from the store that made it.
 *
 * @example
 * new ScopedStore('clients', { db, tables, locals, guard, clock, tenantId: 'tenant-a' }); // normally via store.forPlugin
 */
export interface ScopedStoreDeps {
  readonly db: Database;
  readonly tables: TableDirectory;
  /** The plugins' local tables and views. */
  readonly locals: LocalDirectory;
  /** Lets the store's own writes into local tables through their guard triggers. */
  readonly guard: LocalWriteGuard;
  readonly clock: HybridLogicalClock;
  readonly tenantId: string;
  /** Told after each write, so a committed change starts a sync run at once. */
  readonly changes?: ChangeSignal;
}

/**
 * Options of reads: tombstones (deleted rows awaiting sync) are hidden unless asked for.
 *
 * @example
 * scoped.get('clients', id, { includeDeleted: true });
 */
export interface ReadOptions {
  readonly includeDeleted?: boolean;
}

/**
 * A plugin's door to the local store: only its own tables, only declared columns. It
 * fills `id` (UUIDv7, unless given), `tenant_id` and `updated_at` (the store's clock)
 * and converts booleans, JSON and timestamps; the triggers queue every change. A value
 * outside its column's limits is refused with a {@link ColumnLimitError}, before anything
 * is written. Its own views are read through {@link ScopedStore.view}, its local tables
 * through {@link ScopedStore.local}.
 *
 * @example
 * const clients = store.forPlugin('clients');
 * const { id } = clients.insert('clients', { name: 'Ada', active: true });
 * clients.update('clients', id, { name: 'Ada L.' });
 * clients.query('clients', { active: true });
 * clients.delete('clients', id); // a tombstone, uploaded once confirmed
 * clients.restore('clients', id, { name: 'Ada' }); // live again, queued like any edit
 */
export class ScopedStore {
  /** The plugin's local tables (`contributes.localTables`): on this device only, never synced. */
  readonly local: LocalTableStore;
  private readonly views: ViewReader;
  private statementCache: StatementCache | undefined;
  private readonly inserts = new Map<string, Statement<SqliteValue[]>>();
  private readonly changes: RowChanges;
  /** The store's clock, bound once: updates pass it on every call. */
  private readonly stamp: () => string;
  private readonly storedDefaults = new Map<number, Record<string, unknown>>();
  private readonly jsonDefaultColumns = new Map<number, readonly ColumnDefinition[]>();

  constructor(
    readonly plugin: string,
    private readonly deps: ScopedStoreDeps,
  ) {
    this.local = new LocalTableStore(plugin, deps);
    this.views = new ViewReader(plugin, deps);
    this.changes = new RowChanges(deps.db);
    this.stamp = () => deps.clock.tick();
  }

  /** Inserts a row and returns it as stored (defaults and system columns included). */
  insert(table: string, row: Row): Row {
    const context = this.own(table);
    const id = row.id === undefined ? newRecordId() : row.id;
    if (typeof id !== 'string' || id === '') throw this.error(table, 'id must be a non-empty string');
    const { names, values } = this.encode(context, row, id);
    const insert = this.insertStatement(context, names);
    const updatedAt = this.write(() => {
      const value = this.deps.clock.tick();
      insert.run(id, this.deps.tenantId, value, ...values);
      return value;
    }, id);
    // Built here rather than read back: declared defaults are constants, and a read per
    // insert would cost as much as the trigger work. Decoded as it is built, from the stored values.
    const inserted: Row = { id, tenant_id: this.deps.tenantId, updated_at: updatedAt, deleted: false, ...this.defaults(context) };
    for (const column of this.jsonDefaults(context)) inserted[column.name] = decodeValue(column, storedDefault(column));
    names.forEach((name, i) => (inserted[name] = values[i] === null ? null : decodeValue(context.columns.get(name), values[i])));
    return inserted;
  }

  /** Changes the given columns of a live row and returns it; throws when there is none. */
  update(table: string, id: string, patch: Row): Row {
    return this.change(table, id, patch, 'update');
  }

  /**
   * Brings back a row a delete turned into a tombstone, with `patch` applied, and returns
   * it: the change is stamped and queued like any edit, and the held delete is dropped. A
   * live row is simply updated. Throws when there is no row with this id at all.
   */
  restore(table: string, id: string, patch: Row = {}): Row {
    return this.change(table, id, patch, 'restore');
  }

  /**
   * Turns a live row into a tombstone awaiting confirmation (rows are never removed by
   * sync). Returns whether there was a live row.
   */
  delete(table: string, id: string): boolean {
    this.own(table);
    return this.write(() => {
      const sql = `UPDATE ${quoteIdentifier(table)} SET deleted = 1, updated_at = ? WHERE id = ? AND deleted = 0`;
      return this.statement(sql).run(this.deps.clock.tick(), id).changes > 0;
    }, id);
  }

  /**
   * Rows of one of the plugin's views whose columns equal every value in `where`, as
   * SQLite gives them (the view's SELECT decides the columns), sorted by `orderBy`.
   */
  view(name: string, where: Row = {}, options: ViewReadOptions = {}): Row[] {
    return this.views.read(name, where, options);
  }

  /** Runs `fn` in one local transaction: its reads and writes commit together or not at all. */
  transaction<T>(fn: () => T): T {
    try {
      return this.deps.db.transaction(fn).immediate();
    } finally {
      this.deps.changes?.wrote();
    }
  }

  get(table: string, id: string, options: ReadOptions = {}): Row | undefined {
    const row = this.deps.tables.readRow(this.own(table), id);
    return row === undefined || (row.deleted === true && options.includeDeleted !== true) ? undefined : row;
  }

  /** Rows whose columns equal every value in `where` (`null` matches NULL), oldest id first. */
  query(table: string, where: Row = {}, options: ReadOptions = {}): Row[] {
    const context = this.own(table);
    const { names, values } = this.encode(context, where);
    const conditions = names.map((name) => `${quoteIdentifier(name)} IS ?`);
    if (options.includeDeleted !== true) conditions.push('deleted = 0');
    const sql = `SELECT id FROM ${quoteIdentifier(table)} WHERE ${conditions.join(' AND ') || 'TRUE'} ORDER BY id`;
    // Prepared once per shape of filter: a plugin asks the same few queries on every sale.
    const ids = this.statement(sql).pluck(true).all(...values) as string[];
    return ids.map((id) => this.deps.tables.readRow(context, id) as Row);
  }

  private own(table: string): TableContext {
    const context = this.deps.tables.find(table);
    if (context?.definition.plugin === this.plugin) return context;
    if (context === undefined) throw new StoreError(`plugin "${this.plugin}" has no table "${table}"`);
    throw new StoreError(
      `plugin "${this.plugin}" cannot use table "${table}": it belongs to plugin "${context.definition.plugin}"`,
    );
  }

  /**
   * Declared columns only; system columns are the engine's (except as filters in a query).
   * Written values (`rowId` given) must keep their columns' limits; filters need not.
   */
  private encode(context: TableContext, row: Row, rowId?: string): { names: string[]; values: SqliteValue[] } {
    const filter = rowId === undefined;
    const names: string[] = [];
    const values: SqliteValue[] = [];
    for (const name of Object.keys(row)) {
      const value = row[name];
      if (value === undefined || (name === 'id' && !filter)) continue;
      if (SYSTEM_COLUMN_NAMES.has(name)) {
        if (!filter || name === 'server_version' || name === 'txid') {
          throw this.error(context.definition.name, `"${name}" is a system column managed by the engine`);
        }
        names.push(name);
        values.push(typeof value === 'boolean' ? Number(value) : (value as SqliteValue));
        continue;
      }
      const column = context.columns.get(name);
      if (column === undefined) throw this.error(context.definition.name, `unknown column "${name}"`);
      const encoded = filter && value === null ? null : this.encodeValue(context, column, value, rowId);
      if (!filter && encoded !== null) {
        const rule = storedValueViolation(column, encoded);
        if (rule !== undefined) throw new ColumnLimitError(this.plugin, context.definition.name, rowId, name, rule);
      }
      names.push(name);
      values.push(encoded);
    }
    return { names, values };
  }

  /** The codec's encoding; an integer past 2^53 or json too deep to write out is refused as the limit it breaks. */
  private encodeValue(context: TableContext, column: ColumnDefinition, value: unknown, rowId: string | undefined): SqliteValue {
    try {
      return encodeValue(context.definition, column, value, rowId);
    } catch (error) {
      const rule = rowId === undefined ? undefined : encodingFailureRule(column, value, error);
      if (rule !== undefined && rowId !== undefined) throw new ColumnLimitError(this.plugin, context.definition.name, rowId, column.name, rule);
      throw error;
    }
  }

  // Keyed by the column names alone: building and quoting the SQL text per insert cost as much as half the trigger work.
  private insertStatement(context: TableContext, names: readonly string[]): Statement<SqliteValue[]> {
    const key = `${context.id}\u0000${names.join('\u0000')}`;
    let statement = this.inserts.get(key);
    if (statement === undefined) {
      const columns = ['id', 'tenant_id', 'updated_at', ...names].map(quoteIdentifier);
      const table = quoteIdentifier(context.definition.name);
      statement = this.statement(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
      this.inserts.set(key, statement);
    }
    return statement;
  }

  private change(table: string, id: string, patch: Row, kind: ChangeKind): Row {
    const context = this.own(table);
    const { names, values } = this.encode(context, patch, id);
    const stored = this.write(() => this.changes.write(context, kind, names, values, id, this.stamp), id);
    if (stored === undefined) throw this.error(table, `no row "${id}" to ${kind}`);
    return stored;
  }

  /** The declared columns' defaults as a read returns them, computed once per table (JSON ones are parsed per row, see below). */
  private defaults(context: TableContext): Record<string, unknown> {
    let defaults = this.storedDefaults.get(context.id);
    if (defaults === undefined) {
      defaults = Object.fromEntries(
        context.definition.columns.map((column) => {
          const stored = storedDefault(column);
          return [column.name, stored === null ? null : decodeValue(column, stored)];
        }),
      );
      this.storedDefaults.set(context.id, defaults);
    }
    return defaults;
  }

  /** JSON columns with a default: each row gets its own parsed copy, never an object shared with other rows. */
  private jsonDefaults(context: TableContext): readonly ColumnDefinition[] {
    let columns = this.jsonDefaultColumns.get(context.id);
    if (columns === undefined) {
      columns = context.definition.columns.filter((column) => column.type === 'json' && storedDefault(column) !== null);
      this.jsonDefaultColumns.set(context.id, columns);
    }
    return columns;
  }

  private statement(sql: string): Statement<SqliteValue[]> {
    this.statementCache ??= new StatementCache(this.deps.db);
    return this.statementCache.bySql<SqliteValue[]>(sql);
  }

  // One transaction per call unless the caller already opened one (then the caller's commit counts).
  private write<T>(fn: () => T, rowId: string): T {
    try {
      return this.deps.db.inTransaction ? fn() : this.deps.db.transaction(fn).immediate();
    } catch (error) {
      throw namingRow(error, rowId);
    } finally {
      // Checked after this task, when an enclosing transaction has committed or rolled back.
      this.deps.changes?.wrote();
    }
  }

  private error(table: string, message: string): StoreError {
    return new StoreError(`plugin "${this.plugin}" table "${table}": ${message}`);
  }
}

/**
 * A trigger's refusal with the row it refused appended. The triggers' messages are string
 * literals so that older SQLite can parse the schema (see guard-triggers.ts); they name
 * the table but cannot name the row, which this door knows.
 */
function namingRow(error: unknown, rowId: string): unknown {
  if (error instanceof Error && (error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_TRIGGER') {
    const suffix = ` (row ${rowId})`;
    if (!error.message.endsWith(suffix)) error.message += suffix;
  }
  return error;
}
