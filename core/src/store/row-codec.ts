import type { ColumnDefinition, Row, TableDefinition } from '../declarations/index.js';
import { StoreError } from './store-error.js';
import type { TableContext } from './table-registry.js';

/** A value better-sqlite3 can bind. */
export type SqliteValue = string | number | bigint | Buffer | null;

/**
 * Turns an application value into what a declared column stores, refusing values of the
 * wrong type with an error naming plugin, table, the row when `rowId` is given, and
 * column (SQLite itself would store almost anything anywhere). `undefined` is left to
 * the caller (it means "not given").
 *
 * @example
 * encodeValue(table, { name: 'active', type: 'boolean', nullable: true, default: undefined }, true); // 1
 * encodeValue(table, phone, 600000002, 'c-1'); // throws: plugin "crm" table "clients" row "c-1" column "phone": expects a string, got number
 */
export function encodeValue(table: Pick<TableDefinition, 'plugin' | 'name'>, column: ColumnDefinition, value: unknown, rowId?: string): SqliteValue {
  const refuse = (expected: string): never => {
    const got = value instanceof Date ? 'a Date' : Array.isArray(value) ? 'an array' : typeof value;
    const row = rowId === undefined ? '' : ` row "${rowId}"`;
    throw new StoreError(`plugin "${table.plugin}" table "${table.name}"${row} column "${column.name}": expects ${expected}, got ${got}`);
  };
  if (value === null) {
    if (!column.nullable) refuse('a value (the column is not nullable)');
    return null;
  }
  switch (column.type) {
    case 'text':
      return typeof value === 'string' ? value : refuse('a string');
    case 'integer':
      if (typeof value === 'bigint') return value;
      return typeof value === 'number' && Number.isSafeInteger(value) ? value : refuse('an integer');
    case 'real':
      return typeof value === 'number' && Number.isFinite(value) ? value : refuse('a finite number');
    case 'boolean':
      if (typeof value === 'boolean') return value ? 1 : 0;
      return value === 0 || value === 1 ? value : refuse('a boolean');
    case 'json':
      return value === undefined || typeof value === 'function' ? refuse('a JSON value') : JSON.stringify(value);
    case 'timestamp':
      return encodeTimestamp(value) ?? refuse('a Date, an ISO-8601 string or epoch milliseconds');
  }
}

// One canonical text form (UTC ISO-8601) keeps timestamps comparable as strings.
function encodeTimestamp(value: unknown): string | undefined {
  const date = value instanceof Date || typeof value === 'string' || typeof value === 'number' ? new Date(value) : undefined;
  return date === undefined || Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/**
 * The tombstone flag `deleted` as stored: 1 for `true` (or 1), 0 for anything else. With
 * {@link decodeTombstone}, the one codec of the flag, which is no declared column.
 *
 * @example
 * encodeTombstone(true); // 1
 */
export function encodeTombstone(deleted: unknown): 0 | 1 {
  return deleted === true || deleted === 1 ? 1 : 0;
}

/**
 * The stored tombstone flag read back: only 1 is a tombstone.
 *
 * @example
 * decodeTombstone(1); // true
 */
export function decodeTombstone(stored: unknown): boolean {
  return stored === 1;
}

/**
 * Turns a stored row back into application values: booleans (and `deleted`) as
 * booleans, JSON parsed. Text a plain-SQL writer stored in a JSON column that does not
 * parse is returned as it is rather than making the whole row unreadable.
 *
 * @example
 * decodeRow(context, db.prepare('SELECT * FROM "clients" WHERE id = ?').get(id));
 */
export function decodeRow(table: TableContext, raw: Record<string, unknown>): Row {
  const row: Row = {};
  // for...in rather than Object.entries: no array of pairs per row on the hot paths (inserts, outbox batches).
  for (const name in raw) {
    const value = raw[name];
    if (name === 'deleted') row[name] = decodeTombstone(value);
    else row[name] = value === null ? null : decodeValue(table.columns.get(name), value);
  }
  return row;
}

/**
 * {@link decodeRow} for a statement in raw mode (values as an array, in `names` order):
 * better-sqlite3 builds a row object column by column, which costs more than building
 * it here, on a hot path such as `update`, which returns the row it wrote.
 *
 * @example
 * decodeRawRow(context, statement.columns().map((c) => c.name), statement.raw(true).get(id));
 */
export function decodeRawRow(table: TableContext, names: readonly string[], values: readonly unknown[]): Row {
  const row: Row = {};
  for (let i = 0; i < names.length; i += 1) {
    const name = names[i]!;
    const value = values[i];
    if (name === 'deleted') row[name] = decodeTombstone(value);
    else row[name] = value === null ? null : decodeValue(table.columns.get(name), value);
  }
  return row;
}

/**
 * One stored value back into its application value (see {@link decodeRow}); NULL is the caller's.
 *
 * @example
 * decodeValue({ name: 'active', type: 'boolean', nullable: true, default: undefined }, 1); // true
 */
export function decodeValue(column: ColumnDefinition | undefined, value: unknown): unknown {
  if (column?.type === 'boolean') return value !== 0;
  if (column?.type === 'json' && typeof value === 'string') {
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }
  return value;
}
