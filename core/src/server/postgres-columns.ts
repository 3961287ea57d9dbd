import { quoteIdentifier, type ColumnDefinition, type ColumnType } from '../declarations/index.js';
import { sqlLiteral } from './sql-text.js';

/**
 * How each declared column type is stored in the cloud.
 *
 * @example
 * POSTGRES_TYPES.integer; // 'bigint'
 */
export const POSTGRES_TYPES: Readonly<Record<ColumnType, string>> = {
  text: 'text',
  integer: 'bigint',
  real: 'double precision',
  boolean: 'boolean',
  json: 'jsonb',
  timestamp: 'timestamptz',
};

/**
 * The Postgres definition of a declared column: type, nullability and default.
 * Defaults are written as a quoted literal cast to the column's type, so a number, a
 * boolean and JSON text all take the same, injection-free path.
 *
 * @example
 * columnSql({ name: 'total', type: 'integer', nullable: false, default: 0 });
 * // '"total" bigint not null default '0'::bigint'
 */
export function columnSql(column: ColumnDefinition): string {
  const type = POSTGRES_TYPES[column.type];
  if (type === undefined) throw new TypeError(`column "${column.name}" has an unknown type`);
  const parts = [quoteIdentifier(column.name), type];
  if (!column.nullable) parts.push('not null');
  if (column.default !== undefined && column.default !== null) {
    parts.push(`default ${sqlLiteral(String(column.default))}::${type}`);
  }
  return parts.join(' ');
}
