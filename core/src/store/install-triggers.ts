import type { Database } from 'better-sqlite3';
import type { TableDefinition } from '../declarations/index.js';
import { guardTriggerSql } from './guard-triggers.js';
import { syncTriggerSql } from './sync-triggers.js';

/**
 * Replaces a table's `_eq_` triggers with the ones its current declaration calls for.
 * Rebuilt on every open: cheap, and a changed declaration (say, a table becoming
 * append-only) takes effect without a migration step. Other triggers are left alone.
 *
 * @example
 * db.transaction(() => installTriggers(db, definition, 3)).immediate();
 */
export function installTriggers(db: Database, table: TableDefinition, tableId: number): void {
  const existing = db
    .prepare(`SELECT name FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = ? AND name LIKE '\\_eq\\_%' ESCAPE '\\'`)
    .pluck()
    .all(table.name) as string[];
  for (const name of existing) db.exec(`DROP TRIGGER "${name.replace(/"/g, '""')}"`);
  const sync = table.direction === 'download-only' ? [] : syncTriggerSql(table, tableId);
  for (const sql of [...guardTriggerSql(table), ...sync]) db.exec(sql);
}
