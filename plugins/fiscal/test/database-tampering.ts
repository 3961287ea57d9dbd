import Database from 'better-sqlite3';

/**
 * Runs `sql` on the database file as an attacker with file access would: on a
 * connection of its own, after dropping the engine's triggers on `invoices` (they refuse
 * any change of a fiscal record). Without params, `sql` may hold several statements. The
 * device must be closed; reopening it restores the triggers.
 */
export function tamper(dbPath: string, sql: string, ...params: unknown[]): void {
  const db = new Database(dbPath);
  try {
    const triggers = db
      .prepare(`SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'invoices' AND name LIKE '\\_eq\\_%' ESCAPE '\\'`)
      .pluck()
      .all() as string[];
    if (triggers.length === 0) throw new Error('expected the engine triggers on invoices');
    for (const name of triggers) db.exec(`DROP TRIGGER "${name}"`);
    if (params.length === 0) db.exec(sql);
    else db.prepare(sql).run(...params);
  } finally {
    db.close();
  }
}
