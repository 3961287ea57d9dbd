import { quoteIdentifier, type ColumnDefinition, type ColumnType } from '../declarations/index.js';

/**
 * SQLite storage of each declared type. Booleans are 0/1 integers, JSON is its text,
 * timestamps are ISO-8601 text (UTC), which sorts correctly and reads well in any tool.
 */
const SQLITE_TYPES: Readonly<Record<ColumnType, string>> = {
  text: 'TEXT',
  integer: 'INTEGER',
  real: 'REAL',
  boolean: 'INTEGER',
  json: 'TEXT',
  timestamp: 'TEXT',
};

/**
 * The SQLite type a declared column is stored as.
 *
 * @example
 * sqliteType('boolean'); // 'INTEGER'
 */
export function sqliteType(type: ColumnType): string {
  return SQLITE_TYPES[type];
}

/**
 * A constant as SQL text. Only ever given declared defaults (validated by `definePlugin`).
 *
 * @example
 * sqlLiteral("it's"); // "'it''s'"
 * sqlLiteral(true); // '1'
 */
export function sqlLiteral(value: string | number | boolean | null): string {
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`${value} cannot be written as SQL`);
    return String(value);
  }
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * A declared column as a column definition of CREATE TABLE or ADD COLUMN.
 *
 * @example
 * columnSql({ name: 'active', type: 'boolean', nullable: false, default: true });
 * // '"active" INTEGER NOT NULL DEFAULT 1'
 */
export function columnSql(column: ColumnDefinition): string {
  const parts = [quoteIdentifier(column.name), sqliteType(column.type)];
  if (!column.nullable) parts.push('NOT NULL');
  if (column.default !== undefined) parts.push(`DEFAULT ${sqlLiteral(storedDefault(column))}`);
  return parts.join(' ');
}

/**
 * A column's declared default as SQLite stores it (booleans as 0/1, timestamps in
 * canonical ISO-8601), or NULL when it has none.
 *
 * @example
 * storedDefault({ name: 'active', type: 'boolean', nullable: true, default: true }); // 1
 */
export function storedDefault(column: ColumnDefinition): string | number | null {
  const value = column.default;
  if (value === undefined || value === null) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (column.type === 'timestamp' && typeof value === 'string') return new Date(value).toISOString();
  return value;
}
