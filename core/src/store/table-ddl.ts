import type { Database } from 'better-sqlite3';
import { quoteIdentifier, type IndexDefinition, type TableDefinition } from '../declarations/index.js';
import { columnSql } from './sqlite-columns.js';
import { RECORD_ID_DEFAULT_SQL } from './sql-expressions.js';

/**
 * CREATE TABLE for a synced table: the system columns first, then the declared ones.
 * `tenant_id` and `updated_at` may be NULL only for the moment between a plain-SQL
 * INSERT and the trigger that stamps them.
 *
 * @example
 * db.exec(createTableSql(definition));
 */
export function createTableSql(table: TableDefinition): string {
  const columns = [
    `"id" TEXT PRIMARY KEY NOT NULL DEFAULT ${RECORD_ID_DEFAULT_SQL}`,
    `"tenant_id" TEXT`,
    `"updated_at" TEXT`,
    `"deleted" INTEGER NOT NULL DEFAULT 0 CHECK ("deleted" IN (0, 1))`,
    ...table.columns.map(columnSql),
  ];
  return `CREATE TABLE ${quoteIdentifier(table.name)} (\n  ${columns.join(',\n  ')}\n)`;
}

/**
 * The name the store gives a declared index. Derived from the columns, so declaring the
 * same index again finds it, and an index no longer declared can be recognised and dropped.
 */
function indexName(table: string, index: IndexDefinition): string {
  return `_eq_${index.unique ? 'ux' : 'ix'}_${table}__${index.columns.join('__')}`;
}

/**
 * Makes the table's `_eq_` indexes match its declaration: drops the ones no longer
 * declared, creates the missing ones. Unique indexes are scoped to the tenant and skip
 * tombstones, so a deleted row does not block its key from being used again.
 *
 * @example
 * syncIndexes(db, definition);
 */
export function syncIndexes(db: Database, table: TableDefinition): void {
  const wanted = new Map(table.indexes.map((index) => [indexName(table.name, index), index]));
  const existing = db
    .prepare(`SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = ? AND name LIKE '\\_eq\\_%' ESCAPE '\\'`)
    .pluck()
    .all(table.name) as string[];
  for (const name of existing) {
    if (!wanted.has(name)) db.exec(`DROP INDEX "${name}"`);
  }
  for (const [name, index] of wanted) {
    if (existing.includes(name)) continue;
    const columns = index.columns.map(quoteIdentifier);
    const target = quoteIdentifier(table.name);
    db.exec(
      index.unique
        ? `CREATE UNIQUE INDEX "${name}" ON ${target} ("tenant_id", ${columns.join(', ')}) WHERE "deleted" = 0`
        : `CREATE INDEX "${name}" ON ${target} (${columns.join(', ')})`,
    );
  }
}
