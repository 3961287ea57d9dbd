import type { z } from 'zod';
import { defaultProblem } from './column-default.js';
import { DeclarationError, type DeclarationProblem, type DeclaredObjectKind } from './declaration-error.js';
import { columnSchema, pluginDeclarationSchema } from './declaration-schema.js';
import { IDENTIFIER_PATTERN } from './identifiers.js';
import type { PluginDeclaration, PluginDefinition } from './plugin-declaration.js';
import { columnLimitProblems, resolveColumnLimits } from './column-limits.js';
import { DECLARED_KINDS, listOf, localDeclarationProblems, type DeclaredList } from './local-declaration-checks.js';
import type { LocalTableDeclaration, LocalTableDefinition } from './local-table-declaration.js';
import { formatPath, issueLocations } from './schema-issues.js';
import type { ColumnDeclaration, ColumnDefinition, TableDeclaration, TableDefinition } from './table-declaration.js';
import type { ViewDeclaration, ViewDefinition } from './view-declaration.js';

/**
 * Validates a plugin's declaration and returns it with every default resolved.
 * Throws one {@link DeclarationError} listing every problem, each naming the plugin,
 * the table (local table, view) and the field.
 *
 * @example
 * export const plugin = definePlugin({
 *   name: 'clients',
 *   version: '1.0.0',
 *   tables: [{
 *     name: 'clients',
 *     columns: { name: { type: 'text', nullable: false }, email: { type: 'text' } },
 *     strategy: 'Manual',
 *   }],
 * });
 */
export function definePlugin(declaration: PluginDeclaration): PluginDefinition {
  const pluginName = typeof declaration?.name === 'string' ? declaration.name : '(unnamed)';
  const parsed = pluginDeclarationSchema.safeParse(declaration);
  // One pass: the cross-references of every table that could be read are checked even when
  // shapes are wrong elsewhere, so a fix never uncovers a second round of problems.
  const shapeProblems = parsed.success ? [] : parsed.error.issues.flatMap((issue) => shapeProblemsOf(pluginName, declaration, issue));
  const locals = localDeclarationProblems(declaration).map(({ list, index, field, message }) => ({
    at: position(declaration, list, index),
    problem: objectProblem(pluginName, declaration, list, index, field, message),
  }));
  const problems = [...shapeProblems, ...crossReferenceProblems(pluginName, declaration), ...locals];
  if (problems.length > 0) throw new DeclarationError(byTable(problems));
  return Object.freeze({
    name: declaration.name,
    version: declaration.version,
    tables: Object.freeze(declaration.tables.map((table) => toTableDefinition(declaration.name, table))),
    localTables: Object.freeze((declaration.localTables ?? []).map((table) => toLocalTableDefinition(declaration.name, table))),
    views: Object.freeze((declaration.views ?? []).map((view) => toViewDefinition(declaration.name, view))),
    serverSql: declaration.serverSql ?? '',
  });
}

/**
 * Checks plugins that were each validated by {@link definePlugin} against one another:
 * no name of a table, local table or view may be declared by two plugins (SQLite keeps
 * them in one namespace). Returns them unchanged.
 *
 * @example
 * const plugins = assertDistinctTables([clientsPlugin, ledgerPlugin]);
 */
export function assertDistinctTables(plugins: readonly PluginDefinition[]): readonly PluginDefinition[] {
  const owner = new Map<string, { plugin: string; kind: DeclaredObjectKind }>();
  const problems: DeclarationProblem[] = [];
  for (const plugin of plugins) {
    // Definitions made before local tables and views existed may lack them.
    const objects = [
      ...plugin.tables.map((table) => ({ name: table.name, kind: 'table' as const })),
      ...(plugin.localTables ?? []).map((table) => ({ name: table.name, kind: 'local table' as const })),
      ...(plugin.views ?? []).map((view) => ({ name: view.name, kind: 'view' as const })),
    ];
    for (const { name, kind } of objects) {
      const first = owner.get(name);
      if (first === undefined) {
        owner.set(name, { plugin: plugin.name, kind });
        continue;
      }
      problems.push({
        plugin: plugin.name,
        table: name,
        ...(kind === 'table' ? {} : { kind }),
        field: 'name',
        message: `${first.kind} "${name}" is already declared by plugin "${first.plugin}"`,
      });
    }
  }
  if (problems.length > 0) throw new DeclarationError(problems);
  return plugins;
}

/** A problem with the position of its object (-1 for the plugin's own fields), to list each object's problems together. */
interface LocatedProblem {
  readonly at: number;
  readonly problem: DeclarationProblem;
}

/**
 * The problems no schema can see, read off the raw declaration so that a table with a bad
 * shape somewhere is still checked wherever it can be read; parts that cannot be read
 * are skipped, their shape problem already reported.
 */
function crossReferenceProblems(plugin: string, declaration: unknown): LocatedProblem[] {
  const tables = isRecord(declaration) && Array.isArray(declaration.tables) ? (declaration.tables as unknown[]) : [];
  const problems: LocatedProblem[] = [];
  const seen = new Set<string>();
  tables.forEach((table, at) => {
    if (!isRecord(table)) return;
    const problem = (field: string, message: string): void => {
      problems.push({ at, problem: { plugin, table: tableLabel(table, at), field, message } });
    };
    if (typeof table.name === 'string') {
      if (seen.has(table.name)) problem('name', `table "${table.name}" is declared twice`);
      seen.add(table.name);
    }
    if (!isRecord(table.columns)) return;
    const columns = new Set(Object.keys(table.columns));
    if (columns.size === 0) problem('columns', 'a table needs at least one declared column');
    // A malformed reference already has its shape problem; only well-formed ones are looked up.
    const references = (value: unknown): string[] =>
      Array.isArray(value) ? value.filter((column): column is string => typeof column === 'string' && IDENTIFIER_PATTERN.test(column)) : [];
    const indexed = new Set<string>();
    (Array.isArray(table.indexes) ? table.indexes : []).forEach((index: unknown, i) => {
      if (!isRecord(index)) return;
      const named = references(index.columns);
      for (const column of named) {
        if (!columns.has(column)) problem(`indexes[${i}].columns`, `unknown column "${column}"`);
      }
      if (named.length === 0) return;
      // The store names an index after its columns, so two indexes on the same columns would collide.
      const key = named.join(',');
      if (indexed.has(key)) problem(`indexes[${i}].columns`, `columns (${key}) are already indexed`);
      indexed.add(key);
    });
    for (const column of references(table.orderingKey)) {
      if (!columns.has(column)) problem('orderingKey', `unknown column "${column}"`);
    }
    const scope = isRecord(table.pullScope) ? references([table.pullScope.column])[0] : undefined;
    if (scope !== undefined) {
      const declared = (table.columns as Record<string, unknown>)[scope];
      if (!columns.has(scope)) problem('pullScope.column', `unknown column "${scope}"`);
      else if (!isRecord(declared) || declared.type !== 'text') problem('pullScope.column', `column "${scope}" must be a text column to match a claim`);
    }
    for (const [name, raw] of Object.entries(table.columns)) {
      const column = columnSchema.safeParse(raw);
      if (!column.success) continue;
      const declared = column.data as ColumnDeclaration;
      const message = defaultProblem(declared);
      if (message !== undefined) problem(`columns.${name}.default`, message);
      for (const [field, limitMessage] of columnLimitProblems(declared)) problem(`columns.${name}.${field}`, limitMessage);
    }
  });
  return problems;
}

function toColumnDefinitions(columns: TableDeclaration['columns']): readonly ColumnDefinition[] {
  return Object.freeze(
    Object.entries(columns).map(([name, column]) =>
      Object.freeze({ name, type: column.type, nullable: column.nullable ?? true, default: column.default, limits: resolveColumnLimits(column) }),
    ),
  );
}

function toLocalTableDefinition(plugin: string, table: LocalTableDeclaration): LocalTableDefinition {
  return Object.freeze({ name: table.name, plugin, columns: toColumnDefinitions(table.columns), primaryKey: Object.freeze([...table.primaryKey]) });
}

function toViewDefinition(plugin: string, view: ViewDeclaration): ViewDefinition {
  return Object.freeze({ name: view.name, plugin, select: view.select.trim() });
}

function toTableDefinition(plugin: string, table: TableDeclaration): TableDefinition {
  return Object.freeze({
    name: table.name,
    plugin,
    columns: toColumnDefinitions(table.columns),
    indexes: Object.freeze((table.indexes ?? []).map((index) => Object.freeze({ columns: [...index.columns], unique: index.unique ?? false }))),
    strategy: table.strategy,
    resolver: table.resolver,
    appendOnly: table.appendOnly ?? false,
    direction: table.direction ?? 'both',
    orderingKey: Object.freeze([...(table.orderingKey ?? [])]),
    pullScope: table.pullScope === undefined ? undefined : Object.freeze({ column: table.pullScope.column, claim: table.pullScope.claim }),
  });
}

/** Turns a zod issue into problems that name the table, local table or view (by name, not index) and the field. */
function shapeProblemsOf(plugin: string, declaration: PluginDeclaration, issue: z.core.$ZodIssue): LocatedProblem[] {
  return issueLocations(issue).map(({ path, message }) => {
    const [list, index] = path;
    if ((list === 'tables' || list === 'localTables' || list === 'views') && typeof index === 'number') {
      return { at: position(declaration, list, index), problem: objectProblem(plugin, declaration, list, index, formatPath(path.slice(2)), message) };
    }
    return { at: -1, problem: { plugin, table: undefined, field: formatPath(path), message } };
  });
}

/** A problem of the object at `index` of `list`, naming it by name (or position) and kind. */
function objectProblem(plugin: string, declaration: unknown, list: DeclaredList, index: number, field: string, message: string): DeclarationProblem {
  const table = tableLabel(listOf(declaration, list)[index], index);
  return list === 'tables' ? { plugin, table, field, message } : { plugin, table, kind: DECLARED_KINDS[list], field, message };
}

/** Where an object's problems are listed: tables first, then local tables, then views, each in declaration order. */
function position(declaration: unknown, list: DeclaredList, index: number): number {
  const tables = listOf(declaration, 'tables').length;
  if (list === 'tables') return index;
  if (list === 'localTables') return tables + index;
  return tables + listOf(declaration, 'localTables').length + index;
}

/** The problems in declaration order: the plugin's own first, then each table's, shape before cross-reference. */
function byTable(problems: readonly LocatedProblem[]): DeclarationProblem[] {
  return [...problems].sort((a, b) => a.at - b.at).map(({ problem }) => problem);
}

/** A table named by its name, or by its position when it has no usable name. */
function tableLabel(table: unknown, at: number): string {
  return isRecord(table) && typeof table.name === 'string' ? table.name : `#${at}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
