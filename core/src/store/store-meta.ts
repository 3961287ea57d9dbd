import type { Database, Statement } from 'better-sqlite3';
import { compareHlc, formatHlc, HLC_MAX_COUNTER, parseHlc, type HlcStorage } from '../clock/index.js';

/**
 * Keys of `_eq_meta` the engine reads and writes. Table schemas live under `schema:<table>`.
 *
 * @example
 * meta.read(META_KEYS.lastSync);
 */
export const META_KEYS = {
  /** The version of the `_eq_*` layout (`META_SCHEMA_VERSION`). */
  storeSchema: 'store_schema',
  deviceId: 'device_id',
  tenantId: 'tenant_id',
  hlc: 'hlc',
  lastSync: 'last_sync',
  uploadsPaused: 'uploads_paused',
  /** What the device last saw of the cloud (see `RecoveryLedger.readMark`). */
  cloudEpoch: 'cloud_epoch',
  cloudHighWater: 'cloud_high_water',
} as const;

/**
 * Counter steps the stored clock mark runs ahead of the last value issued; see `StoreMeta.hlcStorage`.
 *
 * @example
 * const mark = formatHlc({ wallMs, counter: Math.min(counter + CLOCK_RESERVATION, HLC_MAX_COUNTER), deviceId });
 */
export const CLOCK_RESERVATION = 1_000;

/**
 * The owner of `_eq_meta`, the key/value table of the device's identity, clock, layout
 * version, table schemas and sync marks: every write goes through here, but the clock's
 * advance by the change-capture triggers (`advanceHlcSql`, the detect stage, in SQL),
 * which keeps the same format.
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
   * the in-process clock and the database agree on how far the clock has gone.
   *
   * The row holds a high-water mark a little ahead of the last value issued (the same
   * millisecond, {@link CLOCK_RESERVATION} counter steps further): values up to the mark
   * are issued without writing the row again, so a transaction of many writes writes it
   * about once per millisecond instead of once per write. Every issued value stays at or
   * below the stored mark, so after a restart, and for any other writer (a trigger, another
   * connection), the next value is later than all of them. A mark that changed under the
   * clock (another writer moved it on, or a rolled-back transaction took it back) is
   * written afresh on the next tick.
   */
  hlcStorage(): HlcStorage {
    // The mark this storage wrote last, while the row still holds it.
    let mark: string | undefined;
    const load = (): string | undefined => {
      const value = this.read(META_KEYS.hlc);
      if (value === mark) return undefined; // the clock already knows it: spares a parse per tick
      mark = undefined;
      return value;
    };
    const save = (value: string): void => {
      if (mark !== undefined && compareHlc(value, mark) <= 0) return;
      const { wallMs, counter, deviceId } = parseHlc(value);
      const ahead = formatHlc({ wallMs, counter: Math.min(counter + CLOCK_RESERVATION, HLC_MAX_COUNTER), deviceId });
      // A plain UPDATE of the row bindIdentity created; the upsert only if it is missing.
      if (this.saveClock.run(ahead).changes === 0) this.write(META_KEYS.hlc, ahead);
      mark = ahead;
    };
    return { load, save };
  }
}
