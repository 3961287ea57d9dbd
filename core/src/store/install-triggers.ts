import type { Database } from 'better-sqlite3';
import type { TableDefinition } from '../declarations/index.js';
import { guardTriggerSql } from './guard-triggers.js';
import { syncTriggerSql } from './capture-triggers.js';

/**
 * Replaces a table's `_eq_` triggers with the ones its current declaration calls for,
 * checked on every open: a changed declaration (say, a table becoming append-only) or a
 * newer engine's SQL (say, triggers an older SQLite can parse) takes effect without a
 * migration step. Nothing is touched when the stored SQL is already what is wanted, so
 * other connections keep their compiled statements. When anything differs all of the
 * table's `_eq_` triggers are re-created in order, since SQLite's firing order follows
 * creation order. Other triggers are left alone.
 *
 * @example
 * db.transaction(() => installTriggers(db, definition, 3)).immediate();
 */
export function installTriggers(db: Database, table: TableDefinition, tableId: number): void {
  const existing = db
    .prepare(`SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = ? AND name LIKE '\\_eq\\_%' ESCAPE '\\'`)
    .all(table.name) as { name: string; sql: string }[];
  const sync = table.direction === 'download-only' ? [] : syncTriggerSql(table, tableId);
  const wanted = [...guardTriggerSql(table), ...sync];
  const stored = new Set(existing.map((trigger) => trigger.sql));
  if (existing.length === wanted.length && wanted.every((sql) => stored.has(sql))) return;
  for (const { name } of existing) db.exec(`DROP TRIGGER "${name.replace(/"/g, '""')}"`);
  for (const sql of wanted) db.exec(sql);
}
