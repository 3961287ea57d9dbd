/**
 * Rules for every name that can reach SQL. Declarations are data written by plugin
 * authors; nothing they name is interpolated into SQL before passing {@link isIdentifier}.
 */

/** Lower-case letter first, then lower-case letters, digits or `_`, 63 characters at most (Postgres' limit). */
export const IDENTIFIER_PATTERN = /^[a-z][a-z0-9_]{0,62}$/;

/** Prefix reserved for the engine's own tables, triggers and functions. */
export const RESERVED_PREFIX = '_eq_';

/**
 * Columns the engine adds to every synced table. A plugin may not declare them.
 * `server_version` and `txid` exist only in the cloud.
 */
export const SYSTEM_COLUMNS = ['id', 'tenant_id', 'updated_at', 'deleted', 'server_version', 'txid'] as const;

/** One of {@link SYSTEM_COLUMNS}. */
export type SystemColumn = (typeof SYSTEM_COLUMNS)[number];

/**
 * Whether `name` may be used as a table, column or index name.
 *
 * @example
 * isIdentifier('stock_level'); // true
 * isIdentifier('Robert"); drop table x; --'); // false
 */
export function isIdentifier(name: string): boolean {
  return IDENTIFIER_PATTERN.test(name) && !name.startsWith(RESERVED_PREFIX);
}

/**
 * Returns `name` when it is a valid identifier, throws otherwise. Call it at the last
 * step before a name is placed into SQL text, even for names validated earlier.
 *
 * @example
 * db.exec(`select count(*) from ${quoteIdentifier(assertIdentifier(table))}`);
 */
export function assertIdentifier(name: string, what = 'identifier'): string {
  if (!IDENTIFIER_PATTERN.test(name)) {
    throw new TypeError(`${what} "${name}" is not a valid identifier (must match ${IDENTIFIER_PATTERN.source})`);
  }
  return name;
}

/**
 * Double-quotes an identifier for SQLite or Postgres after validating it.
 *
 * @example
 * quoteIdentifier('order'); // '"order"'
 */
export function quoteIdentifier(name: string): string {
  return `"${assertIdentifier(name)}"`;
}
