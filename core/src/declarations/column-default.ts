import type { ColumnDeclaration } from './table-declaration.js';

/**
 * Why a column's declared default does not fit the column, or `undefined` when it does.
 * Checked up front because every insert relying on a bad default would fail (or store
 * junk) much later, far from the declaration.
 *
 * @example
 * defaultProblem({ type: 'integer', default: 1.5 }); // 'must be an integer'
 */
export function defaultProblem(column: ColumnDeclaration): string | undefined {
  const value = column.default;
  if (value === undefined) return undefined;
  if (value === null) return column.nullable === false ? 'a non-nullable column cannot default to null' : undefined;
  switch (column.type) {
    case 'text':
      return typeof value === 'string' ? undefined : 'must be a string';
    case 'integer':
      return Number.isSafeInteger(value) ? undefined : 'must be an integer';
    case 'real':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : 'must be a finite number';
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'must be true or false';
    case 'timestamp':
      return typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? undefined : 'must be an ISO-8601 date-time string';
    case 'json':
      return typeof value === 'string' && isJsonText(value) ? undefined : 'must be JSON text, e.g. \'{}\' or \'[]\'';
  }
}

function isJsonText(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
