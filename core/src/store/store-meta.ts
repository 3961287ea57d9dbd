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
  private readonly readStatement: Statement<[string], string>;
  private readonly writeStatement: Statement<[string, string]>;
  private readonly saveClock: Statement<[string]>;

  constructor(db: Database) {
    // Plucked: the clock reads its value before every tick, and a row object per read adds up.
    this.readStatement = db.prepare<[string], string>(`SELECT value FROM _eq_meta WHERE key = ?`).pluck();
    this.saveClock = db.prepare(`UPDATE _eq_meta SET value = ? WHERE key = '${META_KEYS.hlc}'`);
    this.writeStatement = db.prepare(
      `INSERT INTO _eq_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    );
  }

  /** The value under `key`, or `undefined`. */
  read(key: string): string | undefined {
    return this.readStatement.get(key);
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
    // The clock already holds what it saved last; answering undefined for that value spares it a parse per tick.
    let saved: string | undefined;
    const load = (): string | undefined => {
      const value = this.read(META_KEYS.hlc);
      return value === saved ? undefined : value;
    };
    // A plain UPDATE of the row bindIdentity created; the upsert only if it is missing.
    const save = (value: string): void => {
      if (this.saveClock.run(value).changes === 0) this.write(META_KEYS.hlc, value);
      saved = value;
    };
    return { load, save };
  }
}
