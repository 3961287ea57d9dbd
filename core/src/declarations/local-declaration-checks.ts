import { defaultProblem } from './column-default.js';
import { columnLimitProblems } from './column-limits.js';
import type { DeclaredObjectKind } from './declaration-error.js';
import { columnSchema } from './declaration-schema.js';
import { IDENTIFIER_PATTERN } from './identifiers.js';
import type { ColumnDeclaration } from './table-declaration.js';

/** A problem of one declared object, by its list (`tables`, `localTables`, `views`) and position in it. */
export interface ObjectProblem {
  readonly list: DeclaredList;
  readonly index: number;
  readonly field: string;
  readonly message: string;
}

/** The lists of a declaration that hold named objects, in the order their problems are reported. */
export type DeclaredList = 'tables' | 'localTables' | 'views';

/**
 * What each list holds, as problems name it.
 *
 * @example
 * DECLARED_KINDS.localTables; // 'local table'
 */
export const DECLARED_KINDS: Readonly<Record<DeclaredList, DeclaredObjectKind>> = { tables: 'table', localTables: 'local table', views: 'view' };

/**
 * The problems of local tables and views no schema can see, read off the raw declaration
 * (parts that cannot be read already have their shape problem): a name used twice among
 * the plugin's tables, local tables and views (they share SQLite's namespace), and per
 * local table its columns' defaults and limits and a primary key of declared,
 * non-nullable columns.
 *
 * @example
 * localDeclarationProblems({ localTables: [{ name: 'rates', columns: {}, primaryKey: ['currency'] }] });
 * // [{ list: 'localTables', index: 0, field: 'columns', message: 'a table needs at least one declared column' }, ...]
 */
export function localDeclarationProblems(declaration: unknown): ObjectProblem[] {
  if (!isRecord(declaration)) return [];
  return [...nameClashes(declaration), ...listOf(declaration, 'localTables').flatMap((table, index) => localTableProblems(table, index))];
}

/** Items of a list of the declaration, or none when it is not a list. */
export function listOf(declaration: unknown, list: DeclaredList): unknown[] {
  const value = isRecord(declaration) ? declaration[list] : undefined;
  return Array.isArray(value) ? (value as unknown[]) : [];
}

// Tables clashing with tables are the tables' own check (define-plugin.ts); here a local
// table or view clashes with any name declared before it.
function nameClashes(declaration: Record<string, unknown>): ObjectProblem[] {
  const seen = new Map<string, DeclaredObjectKind>();
  const problems: ObjectProblem[] = [];
  for (const list of ['tables', 'localTables', 'views'] as const) {
    listOf(declaration, list).forEach((item, index) => {
      if (!isRecord(item) || typeof item.name !== 'string') return;
      const first = seen.get(item.name);
      if (first === undefined) seen.set(item.name, DECLARED_KINDS[list]);
      else if (list !== 'tables') problems.push({ list, index, field: 'name', message: `"${item.name}" is already the name of a ${first} of this plugin` });
    });
  }
  return problems;
}

function localTableProblems(table: unknown, index: number): ObjectProblem[] {
  if (!isRecord(table) || !isRecord(table.columns)) return [];
  const problems: ObjectProblem[] = [];
  const problem = (field: string, message: string): void => {
    problems.push({ list: 'localTables', index, field, message });
  };
  const columns = new Map<string, ColumnDeclaration>();
  for (const [name, raw] of Object.entries(table.columns)) {
    const column = columnSchema.safeParse(raw);
    if (!column.success) continue;
    const declared = column.data as ColumnDeclaration;
    columns.set(name, declared);
    const message = defaultProblem(declared);
    if (message !== undefined) problem(`columns.${name}.default`, message);
    for (const [field, limitMessage] of columnLimitProblems(declared)) problem(`columns.${name}.${field}`, limitMessage);
  }
  if (Object.keys(table.columns).length === 0) problem('columns', 'a table needs at least one declared column');
  const key = Array.isArray(table.primaryKey) ? table.primaryKey.filter((c): c is string => typeof c === 'string' && IDENTIFIER_PATTERN.test(c)) : [];
  const keyed = new Set<string>();
  for (const column of key) {
    if (keyed.has(column)) problem('primaryKey', `column "${column}" is named twice`);
    keyed.add(column);
    if (!(column in table.columns)) problem('primaryKey', `unknown column "${column}"`);
    // The store refuses NULL in a key column whatever is declared; the declaration says so rather than contradict it.
    else if (columns.get(column)?.nullable !== false) problem(`columns.${column}.nullable`, `must be false: "${column}" is part of the primary key`);
  }
  return problems;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
