import type { Database, Statement } from 'better-sqlite3';
import type { HlcStorage } from '../clock/index.js';

/** Keys of `_eq_meta` the engine reads and writes. Table schemas live under `schema:<table>`. */
export const META_KEYS = {
  deviceId: 'device_id',
  tenantId: 'tenant_id',
  hlc: 'hlc',
  lastSync: 'last_sync',
} as const;

/**
 * Typed access to the `_eq_meta` key/value table.
 *
 * @example
 * const meta = new StoreMeta(db);
 * meta.write('last_sync', String(Date.now()));
 */
export class StoreMeta {
  private readonly readStatement: Statement<[string], { value: string }>;
  private readonly writeStatement: Statement<[string, string]>;

  constructor(db: Database) {
    this.readStatement = db.prepare(`SELECT value FROM _eq_meta WHERE key = ?`);
    this.writeStatement = db.prepare(
      `INSERT INTO _eq_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    );
  }

  /** The value under `key`, or `undefined`. */
  read(key: string): string | undefined {
    return this.readStatement.get(key)?.value;
  }

  /** Writes `value` under `key`, replacing any previous value. */
  write(key: string, value: string): void {
    this.writeStatement.run(key, value);
  }

  /**
   * The clock's storage: the same row the triggers advance for plain-SQL writes, so
   * the in-process clock and the database agree on the last value issued.
   */
  hlcStorage(): HlcStorage {
    return { load: () => this.read(META_KEYS.hlc), save: (value) => this.write(META_KEYS.hlc, value) };
  }
}
