import type { Database } from 'better-sqlite3';
import { quoteIdentifier, type LocalTableDefinition } from '../declarations/index.js';
import { localGuardTriggerSql } from './local-write-guard.js';
import { columnSql } from './sqlite-columns.js';
import { StoreError } from './store-error.js';
import type { StoreMeta } from './store-meta.js';
import { addNewColumns, storedColumns, type StoredColumn } from './table-migration.js';

/** A local table's declaration as last applied, kept in `_eq_meta` under `local:<table>`. */
interface StoredLocalSchema {
  readonly plugin: string;
  readonly version: string;
  readonly columns: readonly StoredColumn[];
  readonly primaryKey: readonly string[];
}

/**
 * CREATE TABLE for a local table: the declared columns and primary key, WITHOUT ROWID
 * (rows are found by their key).
 *
 * @example
 * db.exec(createLocalTableSql(definition));
 */
export function createLocalTableSql(table: LocalTableDefinition): string {
  const lines = [...table.columns.map(columnSql), `PRIMARY KEY (${table.primaryKey.map(quoteIdentifier).join(', ')})`];
  return `CREATE TABLE ${quoteIdentifier(table.name)} (\n  ${lines.join(',\n  ')}\n) WITHOUT ROWID`;
}

/**
 * Creates a declared local table, moves an existing one forward (added columns, as for
 * synced tables: anything else is refused) and installs its guard triggers.
 *
 * A table of that name that core did not create — made by an earlier version of the
 * plugin with its own SQL — is adopted when it has every declared column: rebuilt to the
 * declaration with its rows (the declared columns' values), its own triggers, indexes and
 * undeclared columns dropped. Rows that do not fit (a NULL in a key column, a key twice)
 * refuse the open, which leaves the file as it was.
 *
 * @example
 * db.transaction(() => migrateLocalTable(db, meta, definition, '1.2.0')).immediate();
 */
export function migrateLocalTable(db: Database, meta: StoreMeta, table: LocalTableDefinition, version: string): void {
  const key = `local:${table.name}`;
  const storedText = meta.read(key);
  const existing = db.prepare(`SELECT type FROM sqlite_schema WHERE name = ?`).pluck().get(table.name) as string | undefined;
  if (existing === undefined) {
    db.exec(createLocalTableSql(table));
  } else if (storedText !== undefined) {
    const stored = JSON.parse(storedText) as StoredLocalSchema;
    if (stored.plugin !== table.plugin) throw refusal(table, `this database keeps it for plugin "${stored.plugin}"`);
    if (stored.primaryKey.join(',') !== table.primaryKey.join(',')) {
      throw refusal(table, `its primary key changed from (${stored.primaryKey.join(', ')}) to (${table.primaryKey.join(', ')}); declare a new local table instead`);
    }
    addNewColumns(db, table, stored.columns);
  } else if (meta.read(`schema:${table.name}`) !== undefined) {
    throw refusal(table, 'a synced table of that name is already in this database');
  } else if (existing !== 'table') {
    throw refusal(table, `a ${existing} of that name, not created by the sync engine, is already in this database`);
  } else {
    adopt(db, table);
  }
  installGuards(db, table);
  const schema: StoredLocalSchema = { plugin: table.plugin, version, columns: storedColumns(table.columns), primaryKey: [...table.primaryKey] };
  meta.write(key, JSON.stringify(schema));
}

/** Rebuilds a table core did not create to its declaration, keeping the declared columns' values. */
function adopt(db: Database, table: LocalTableDefinition): void {
  const present = new Set(db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(table.name) as string[]);
  const missing = table.columns.filter((column) => !present.has(column.name)).map((column) => column.name);
  if (missing.length > 0) {
    throw refusal(table, `a table of that name, not created by the sync engine, lacks the declared column(s) ${missing.join(', ')}; it is left as it is`);
  }
  const name = quoteIdentifier(table.name);
  // Quoted by hand: the `_eq_` prefix is no declarable identifier (the table's own name was checked by quoteIdentifier above).
  const held = `"_eq_adopt_${table.name}"`;
  const columns = table.columns.map((column) => quoteIdentifier(column.name)).join(', ');
  try {
    // Copied aside and back rather than renamed: a RENAME would rewrite (or trip over) the views that read the table.
    db.exec(`DROP TABLE IF EXISTS ${held}`);
    db.exec(`CREATE TABLE ${held} AS SELECT ${columns} FROM ${name}`);
    db.exec(`DROP TABLE ${name}`);
    db.exec(createLocalTableSql(table));
    db.exec(`INSERT INTO ${name} (${columns}) SELECT ${columns} FROM ${held}`);
    db.exec(`DROP TABLE ${held}`);
  } catch (error) {
    throw refusal(table, `its rows do not fit the declaration: ${error instanceof Error ? error.message : String(error)}`, error);
  }
}

/** Re-creates the table's `_eq_` triggers only when they differ from what is wanted, so other connections keep their compiled statements. */
function installGuards(db: Database, table: LocalTableDefinition): void {
  const existing = db
    .prepare(`SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = ? AND name LIKE '\\_eq\\_%' ESCAPE '\\'`)
    .all(table.name) as { name: string; sql: string }[];
  const wanted = localGuardTriggerSql(table);
  const stored = new Set(existing.map((trigger) => trigger.sql));
  if (existing.length === wanted.length && wanted.every((sql) => stored.has(sql))) return;
  for (const { name } of existing) db.exec(`DROP TRIGGER "${name.replace(/"/g, '""')}"`);
  for (const sql of wanted) db.exec(sql);
}

function refusal(table: LocalTableDefinition, problem: string, cause?: unknown): StoreError {
  return new StoreError(`plugin "${table.plugin}" local table "${table.name}": ${problem}`, cause === undefined ? undefined : { cause });
}
