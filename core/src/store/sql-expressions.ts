import { HLC_COUNTER_DIGITS, HLC_MAX_COUNTER, HLC_WALL_DIGITS } from '../clock/index.js';
import { META_KEYS } from './store-meta.js';

/**
 * SQL the triggers and column defaults evaluate on whichever connection writes. It must
 * be plain SQL only (no functions registered by this process, nothing newer than SQLite
 * 3.37, the oldest a host app may write with, see core/README.md), so `julianday('now')`
 * stands in for `unixepoch` (3.38).
 */

/** Wall-clock milliseconds since 1970 as an integer. */
const NOW_MS = `CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER)`;

/**
 * A UUIDv7-shaped id (48-bit ms timestamp, version 7, RFC 4122 variant, random rest),
 * the `id` column's DEFAULT for rows inserted with plain SQL.
 */
export const RECORD_ID_DEFAULT_SQL =
  `(lower(substr(printf('%012x', ${NOW_MS}), 1, 8) || '-' || substr(printf('%012x', ${NOW_MS}), 9, 4)` +
  ` || '-7' || substr(hex(randomblob(2)), 2, 3)` +
  ` || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2, 3)` +
  ` || '-' || hex(randomblob(6))))`;

const WALL_END = HLC_WALL_DIGITS;
const COUNTER_START = HLC_WALL_DIGITS + 2;

/**
 * Advances the clock stored in `_eq_meta` exactly as `HybridLogicalClock.tick` does
 * (the triggers' own write of `_eq_meta`, beside its owner `StoreMeta`):
 * the wall time when it moved forward, otherwise the last value's counter plus one
 * (borrowing the next millisecond on overflow). Format: see `formatHlc`. `when` is an
 * extra condition, so a trigger can advance the clock only for the rows that need it.
 */
export function advanceHlcSql(when = 'TRUE'): string {
  return `
    UPDATE _eq_meta SET value = (
      SELECT printf('%0${HLC_WALL_DIGITS}d-%0${HLC_COUNTER_DIGITS}d-',
               CASE WHEN n > w THEN n WHEN c >= ${HLC_MAX_COUNTER} THEN w + 1 ELSE w END,
               CASE WHEN n > w OR c >= ${HLC_MAX_COUNTER} THEN 0 ELSE c + 1 END)
             || (SELECT value FROM _eq_meta WHERE key = '${META_KEYS.deviceId}')
      FROM (SELECT ${NOW_MS} AS n,
                   CAST(substr(value, 1, ${WALL_END}) AS INTEGER) AS w,
                   CAST(substr(value, ${COUNTER_START}, ${HLC_COUNTER_DIGITS}) AS INTEGER) AS c
            FROM _eq_meta WHERE key = '${META_KEYS.hlc}'))
    WHERE key = '${META_KEYS.hlc}' AND (${when});`;
}

/** The clock value {@link advanceHlcSql} just wrote. */
export const CURRENT_HLC_SQL = `(SELECT value FROM _eq_meta WHERE key = '${META_KEYS.hlc}')`;

/** The store's tenant, for rows inserted with plain SQL. */
export const TENANT_ID_SQL = `(SELECT value FROM _eq_meta WHERE key = '${META_KEYS.tenantId}')`;

/** True unless the engine is applying pulled rows in the current transaction. */
export const NOT_MUTED_SQL = `NOT EXISTS (SELECT 1 FROM _eq_mute)`;
