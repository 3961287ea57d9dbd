import type { Database, Statement } from 'better-sqlite3';

/**
 * The owner of `_eq_mute`, the flag the change-capture triggers read (`NOT_MUTED_SQL`):
 * while it holds a row, a write is not queued for upload. The row is written and removed
 * inside one transaction, so no other connection ever sees it.
 *
 * @example
 * const mute = new TriggerMute(db);
 * mute.run(() => db.prepare('UPDATE "clients" SET name = ? WHERE id = ?').run('Ada', id));
 */
export class TriggerMute {
  private depth = 0;
  private readonly on: Statement<[]>;
  private readonly off: Statement<[]>;

  constructor(private readonly db: Database) {
    this.on = db.prepare(`INSERT OR IGNORE INTO _eq_mute (muted) VALUES (1)`);
    this.off = db.prepare(`DELETE FROM _eq_mute`);
  }

  /** Runs `fn` in one (immediate) transaction with the sync triggers muted; nests. */
  run<T>(fn: () => T): T {
    return this.db.transaction(() => {
      if (this.depth++ === 0) this.on.run();
      try {
        return fn();
      } finally {
        if (--this.depth === 0) this.off.run();
      }
    }).immediate();
  }
}

/**
 * Clears the flag when a database is opened. A crash cannot leave it behind (it only
 * lives inside a transaction); this is cheap insurance.
 *
 * @example
 * clearTriggerMute(db);
 */
export function clearTriggerMute(db: Database): void {
  db.exec('DELETE FROM _eq_mute');
}
