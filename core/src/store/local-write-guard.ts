import type { Database, Statement } from 'better-sqlite3';
import { quoteIdentifier, type LocalTableDefinition } from '../declarations/index.js';
import { sqlLiteral } from './sqlite-columns.js';

/**
 * Owner of `_eq_local_write`, the flag that lets writes into local tables through: it
 * holds a row only inside a write of a plugin's store, a transaction no other
 * connection can see, so plain SQL from anywhere else (a host app, the `sqlite3` shell)
 * finds it empty and the guard triggers refuse the write. It keeps copies the plugin
 * fills itself (say, from the cloud) from being edited by hand; it is a guard against
 * mistakes, not a security boundary, since a writer could set the flag itself.
 */
const FLAG_TABLE_SQL = `CREATE TABLE IF NOT EXISTS _eq_local_write (writing INTEGER PRIMARY KEY)`;

const LOCAL_WRITE_SQL = `EXISTS (SELECT 1 FROM _eq_local_write)`;

/**
 * Creates the flag table when missing and clears it (a crash cannot leave a row behind,
 * since it only lives inside a transaction; this is cheap insurance). Idempotent.
 *
 * @example
 * db.transaction(() => createLocalWriteFlag(db)).immediate();
 */
export function createLocalWriteFlag(db: Database): void {
  db.exec(FLAG_TABLE_SQL);
  db.exec('DELETE FROM _eq_local_write');
}

/**
 * The triggers refusing INSERT, UPDATE and DELETE on a local table unless the plugin's
 * store is writing. The message is a string literal, as older SQLite needs (see
 * guard-triggers.ts), and names the table and its plugin.
 *
 * @example
 * for (const sql of localGuardTriggerSql(definition)) db.exec(sql);
 */
export function localGuardTriggerSql(table: LocalTableDefinition): string[] {
  const message = `${table.name} is read-only: a local table of plugin ${table.plugin}, written only through that plugin's store`;
  return (['INSERT', 'UPDATE', 'DELETE'] as const).map(
    (event) => `CREATE TRIGGER "_eq_${table.name}_b${event[0]!.toLowerCase()}_local" BEFORE ${event} ON ${quoteIdentifier(table.name)}
    WHEN NOT ${LOCAL_WRITE_SQL} BEGIN
    SELECT RAISE(ABORT, ${sqlLiteral(message)});
  END`,
  );
}

/**
 * Runs a store's writes to local tables with the flag set: in one transaction (a
 * savepoint inside the caller's), the flag cleared again before it ends.
 *
 * @example
 * const guard = new LocalWriteGuard(db);
 * guard.write(() => db.prepare('DELETE FROM "exchange_rates"').run());
 */
export class LocalWriteGuard {
  private readonly raise: Statement;
  private readonly lower: Statement;

  constructor(private readonly db: Database) {
    this.raise = db.prepare('INSERT OR IGNORE INTO _eq_local_write (writing) VALUES (1)');
    this.lower = db.prepare('DELETE FROM _eq_local_write');
  }

  write<T>(fn: () => T): T {
    return this.db
      .transaction(() => {
        this.raise.run();
        try {
          return fn();
        } finally {
          this.lower.run();
        }
      })
      .immediate();
  }
}
