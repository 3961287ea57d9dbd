import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { StoreError } from './store-error.js';

/** The page cache of the store's connection, in KiB. */
const PAGE_CACHE_KIB = 16 * 1024;

/**
 * Opens (or creates) the device's database file with the pragmas the store relies on:
 * WAL, so host apps can read while the engine writes; `synchronous=NORMAL`, durable
 * across application crashes and fast (WAL keeps the database consistent even on power
 * loss, at worst losing the last commits); a busy timeout, so a second writer waits
 * instead of failing at once; a 16 MiB page cache (SQLite's default is 2 MiB), since a
 * captured write touches four B-trees (the row, its id, the outbox, the row state) and
 * a transaction of a few thousand such writes outgrew the default cache, spilling pages
 * to the WAL mid-transaction and costing a third more time. The cache fills only as far
 * as it is used.
 *
 * The file holds a tenant's data and, beside it, what a thief would want: it is made
 * owner-only first (see {@link restrictDatabaseFile}); SQLite gives the `-wal` and `-shm`
 * files it creates the database's mode.
 *
 * @example
 * const db = openDatabase('/var/lib/app/device.db', 5000);
 */
export function openDatabase(path: string, busyTimeoutMs: number): Database.Database {
  restrictDatabaseFile(path);
  const db = new Database(path);
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * Turns SQLite's bare refusal of a file ("file is not a database", "database disk image
 * is malformed", "unable to open database file") into a {@link StoreError} that names
 * the file, keeping the SQLite error as its cause. Other errors are returned as they are.
 *
 * @example
 * try { openDatabase(path, 5000); } catch (error) { throw unusableDatabase(path, error); }
 */
export function unusableDatabase(path: string, error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (!(error instanceof Error) || typeof code !== 'string' || !code.startsWith('SQLITE_')) return error;
  const what = code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT' ? 'is damaged or not a SQLite database' : 'cannot be opened';
  return new StoreError(`the local database "${path}" ${what}: ${error.message} (${code}); the engine left the file as it is`, { cause: error });
}

/** Names better-sqlite3 takes for a database with no file of its own. */
const NOT_A_FILE = new Set(['', ':memory:']);

/**
 * Makes the database file owner-only (0600) before SQLite opens it: a missing file is
 * created so, in a missing folder created 0700; an existing file (or `-wal`, `-shm`)
 * readable by group or others is narrowed to owner-only (a folder the store did not
 * create is left as it is). Anything but a regular file (a directory, a device) is left
 * for SQLite to refuse.
 *
 * @example
 * restrictDatabaseFile('/var/lib/app/device.db'); // then new Database(path)
 */
export function restrictDatabaseFile(path: string): void {
  if (NOT_A_FILE.has(path) || path.startsWith('file:')) return;
  if (!existsSync(path)) {
    const folder = dirname(path);
    if (!existsSync(folder)) mkdirSync(folder, { recursive: true, mode: 0o700 });
    // 'a': creates the file if it is still missing, never truncates one that appeared meanwhile.
    closeSync(openSync(path, 'a', 0o600));
    return;
  }
  for (const file of [path, `${path}-wal`, `${path}-shm`]) ownerOnly(file);
}

function ownerOnly(file: string): void {
  let mode: number;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) return;
    mode = stat.mode;
  } catch {
    return; // no such file: nothing to narrow
  }
  if ((mode & 0o077) === 0) return;
  try {
    chmodSync(file, mode & 0o700);
  } catch (error) {
    // A file of another user, shared on purpose: opening it is SQLite's call, as before.
    if ((error as { code?: unknown }).code !== 'EPERM') throw error;
  }
}
