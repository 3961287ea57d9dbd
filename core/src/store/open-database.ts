import Database from 'better-sqlite3';

/**
 * Opens (or creates) the device's database file with the pragmas the store relies on:
 * WAL, so host apps can read while the engine writes; `synchronous=NORMAL`, durable
 * across application crashes and fast (WAL keeps the database consistent even on power
 * loss, at worst losing the last commits); a busy timeout, so a second writer waits
 * instead of failing at once.
 *
 * @example
 * const db = openDatabase('/var/lib/app/device.db', 5000);
 */
export function openDatabase(path: string, busyTimeoutMs: number): Database.Database {
  const db = new Database(path);
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
