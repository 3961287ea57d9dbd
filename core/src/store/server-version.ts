/**
 * A row's `server_version` as the device stores and compares it: a number, or — for a
 * bigint past 2^53, which PostgREST sends as digits — the digits as they came (SQLite's
 * INTEGER affinity stores them exactly); `null` when the value is not a version. The one
 * decoding of a version from the wire, an ack or a pulled row.
 *
 * @example
 * toServerVersion(42); // 42
 * toServerVersion('9007199254740993'); // '9007199254740993'
 * toServerVersion(undefined); // null
 */
export function toServerVersion(value: unknown): number | string | null {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return String(value);
  return typeof value === 'string' && /^\d+$/.test(value) ? value : null;
}
