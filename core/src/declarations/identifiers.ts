/**
 * Rules for every name that can reach SQL. Declarations are data written by plugin
 * authors; nothing they name is interpolated into SQL before passing {@link isIdentifier}.
 */

/**
 * Lower-case letter first, then lower-case letters, digits or `_`, 63 characters at most (Postgres' limit).
 *
 * @example
 * IDENTIFIER_PATTERN.test('line_total'); // true
 */
export const IDENTIFIER_PATTERN = /^[a-z][a-z0-9_]{0,62}$/;

/**
 * Prefix reserved for the engine's own tables, triggers and functions.
 *
 * @example
 * name.startsWith(RESERVED_PREFIX); // an engine table
 */
export const RESERVED_PREFIX = '_eq_';

/**
 * Table-name prefixes the databases keep for themselves: SQLite refuses to create
 * `sqlite_*` tables and Postgres keeps `pg_*` for its catalogs.
 *
 * @example
 * RESERVED_TABLE_PREFIXES.some((prefix) => name.startsWith(prefix));
 */
export const RESERVED_TABLE_PREFIXES = ['sqlite_', 'pg_'] as const;

/**
 * Column names either database already uses on every table (Postgres' system columns,
 * SQLite's rowid aliases): declaring one would fail or silently shadow the real one.
 *
 * @example
 * (RESERVED_COLUMN_NAMES as readonly string[]).includes('xmin'); // true
 */
export const RESERVED_COLUMN_NAMES = ['rowid', 'oid', 'tableoid', 'xmin', 'xmax', 'cmin', 'cmax', 'ctid'] as const;

/**
 * Columns the engine adds to every synced table. A plugin may not declare them.
 * `server_version` and `txid` exist only in the cloud.
 *
 * @example
 * const userColumns = Object.keys(row).filter((c) => !(SYSTEM_COLUMNS as readonly string[]).includes(c));
 */
export const SYSTEM_COLUMNS = ['id', 'tenant_id', 'updated_at', 'deleted', 'server_version', 'txid'] as const;

/**
 * One of {@link SYSTEM_COLUMNS}.
 *
 * @example
 * const clockColumn: SystemColumn = 'updated_at';
 */
export type SystemColumn = (typeof SYSTEM_COLUMNS)[number];

/**
 * Whether `name` may be used as a table, column or index name.
 *
 * @example
 * isIdentifier('line_total'); // true
 * isIdentifier('Robert"); drop table x; --'); // false
 */
export function isIdentifier(name: string): boolean {
  return IDENTIFIER_PATTERN.test(name) && !name.startsWith(RESERVED_PREFIX);
}

/**
 * Why `name` cannot be a declared table, view or column name, or `undefined` when it can.
 * One message per name, so a reserved name is not also reported as malformed. Tables,
 * local tables and views share one namespace (`'table'`); a local table's columns
 * (`'local column'`) may use the system columns' names, since core adds none to it.
 *
 * @example
 * identifierProblem('_eq_outbox', 'table'); // 'the prefix "_eq_" is reserved for the engine'
 * identifierProblem('id', 'column'); // '"id" is a system column added by the engine ...'
 * identifierProblem('id', 'local column'); // undefined
 */
export function identifierProblem(name: string, kind: 'table' | 'column' | 'local column'): string | undefined {
  if (name.startsWith(RESERVED_PREFIX)) return `the prefix "${RESERVED_PREFIX}" is reserved for the engine`;
  if (!IDENTIFIER_PATTERN.test(name)) return `"${name}" must match ${IDENTIFIER_PATTERN.source}`;
  if (kind === 'table') {
    const prefix = RESERVED_TABLE_PREFIXES.find((p) => name.startsWith(p));
    if (prefix !== undefined) return `the prefix "${prefix}" is reserved by the database`;
    return undefined;
  }
  if (kind === 'column' && (SYSTEM_COLUMNS as readonly string[]).includes(name)) {
    return `"${name}" is a system column added by the engine and cannot be declared`;
  }
  if ((RESERVED_COLUMN_NAMES as readonly string[]).includes(name)) {
    return `"${name}" is a column name the database reserves`;
  }
  return undefined;
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
