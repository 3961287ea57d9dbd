import type { Database } from 'better-sqlite3';
import { quoteIdentifier, type ColumnDefinition, type TableDefinition } from '../declarations/index.js';
import { columnSql } from './sqlite-columns.js';
import { SchemaMigrationError, StoreError } from './store-error.js';
import type { StoreMeta } from './store-meta.js';
import { createTableSql } from './table-ddl.js';

/** A table's declaration as last applied, kept in `_eq_meta` under `schema:<table>`. */
interface StoredSchema {
  readonly plugin: string;
  readonly version: string;
  readonly columns: readonly StoredColumn[];
}

/**
 * A column as the store records it after applying a declaration, to compare the next one with.
 *
 * @example
 * const stored: StoredColumn = { name: 'sku', type: 'text', nullable: false, default: null };
 */
export type StoredColumn = Pick<ColumnDefinition, 'name' | 'type' | 'nullable'> & { readonly default: unknown };

/**
 * What owns declared columns: a synced table or a local table.
 *
 * @example
 * const owner: ColumnOwner = { plugin: 'clients', name: 'clients', columns: definition.columns };
 */
export interface ColumnOwner {
  readonly plugin: string;
  readonly name: string;
  readonly columns: readonly ColumnDefinition[];
}

/**
 * Creates a declared table, or moves an existing one forward to its declaration. Only
 * additions are automatic (ADD COLUMN keeps every row); a removed column, a new type,
 * a new nullability or default would need the data rewritten, so they are refused with
 * a {@link SchemaMigrationError} instead of being guessed at.
 *
 * @example
 * db.transaction(() => migrateTable(db, meta, definition, '1.2.0')).immediate();
 */
export function migrateTable(db: Database, meta: StoreMeta, table: TableDefinition, version: string): void {
  const key = `schema:${table.name}`;
  const storedText = meta.read(key);
  const exists = db.prepare(`SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?`).get(table.name) !== undefined;
  if (!exists) {
    db.exec(createTableSql(table));
  } else if (storedText === undefined) {
    throw new StoreError(
      `plugin "${table.plugin}" table "${table.name}": a table of that name already exists and was not created by the sync engine`,
    );
  } else {
    addNewColumns(db, table, (JSON.parse(storedText) as StoredSchema).columns);
  }
  const schema: StoredSchema = { plugin: table.plugin, version, columns: storedColumns(table.columns) };
  meta.write(key, JSON.stringify(schema));
}

/**
 * The columns as the store records them.
 *
 * @example
 * meta.write(key, JSON.stringify({ columns: storedColumns(definition.columns) }));
 */
export function storedColumns(columns: readonly ColumnDefinition[]): StoredColumn[] {
  return columns.map(({ name, type, nullable, default: value }) => ({ name, type, nullable, default: value ?? null }));
}

/**
 * Adds the declared columns a table lacks; refuses, with a {@link SchemaMigrationError}, a
 * recorded column that was removed or changed, and a new non-nullable column without a
 * default (the rows already there would have no value).
 *
 * @example
 * addNewColumns(db, definition, JSON.parse(meta.read(`schema:${definition.name}`)!).columns);
 */
export function addNewColumns(db: Database, table: ColumnOwner, stored: readonly StoredColumn[]): void {
  const declared = new Map(table.columns.map((column) => [column.name, column]));
  for (const old of stored) {
    const problem = changeProblem(old, declared.get(old.name));
    if (problem !== undefined) throw new SchemaMigrationError(table.plugin, table.name, old.name, problem);
  }
  const known = new Set(stored.map((column) => column.name));
  const present = new Set(
    (db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(table.name) as string[]),
  );
  for (const column of table.columns) {
    if (known.has(column.name) || present.has(column.name)) continue;
    if (!column.nullable && (column.default === undefined || column.default === null)) {
      throw new SchemaMigrationError(
        table.plugin,
        table.name,
        column.name,
        'a new non-nullable column needs a default for the rows that already exist',
      );
    }
    db.exec(`ALTER TABLE ${quoteIdentifier(table.name)} ADD COLUMN ${columnSql(column)}`);
  }
}

function changeProblem(old: StoredColumn, now: ColumnDefinition | undefined): string | undefined {
  if (now === undefined) {
    return `was removed from the declaration; dropping it would lose its data, so keep declaring it (e.g. nullable)`;
  }
  if (now.type !== old.type) {
    return `changed type from "${old.type}" to "${now.type}"; declare a new column instead of retyping this one`;
  }
  if (now.nullable !== old.nullable) {
    return `changed nullable from ${old.nullable} to ${now.nullable}; SQLite cannot change it in place`;
  }
  if (JSON.stringify(now.default ?? null) !== JSON.stringify(old.default ?? null)) {
    return `changed its default from ${JSON.stringify(old.default ?? null)} to ${JSON.stringify(now.default ?? null)}; SQLite cannot change it in place`;
  }
  return undefined;
}
