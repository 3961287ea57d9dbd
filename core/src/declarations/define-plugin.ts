import type { z } from 'zod';
import { defaultProblem } from './column-default.js';
import { DeclarationError, type DeclarationProblem } from './declaration-error.js';
import { pluginDeclarationSchema } from './declaration-schema.js';
import type { PluginDeclaration, PluginDefinition } from './plugin-declaration.js';
import { columnLimitProblems, resolveColumnLimits } from './column-limits.js';
import type { ColumnDefinition, TableDeclaration, TableDefinition } from './table-declaration.js';

/**
 * Validates a plugin's declaration and returns it with every default resolved.
 * Throws one {@link DeclarationError} listing every problem, each naming the plugin,
 * the table and the field.
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
  if (!parsed.success) {
    throw new DeclarationError(parsed.error.issues.map((issue) => toProblem(pluginName, declaration, issue)));
  }
  const problems = crossReferenceProblems(declaration);
  if (problems.length > 0) throw new DeclarationError(problems);
  return Object.freeze({
    name: declaration.name,
    version: declaration.version,
    tables: Object.freeze(declaration.tables.map((table) => toTableDefinition(declaration.name, table))),
    serverSql: declaration.serverSql ?? '',
  });
}

/**
 * Checks plugins that were each validated by {@link definePlugin} against one another:
 * no table may be declared by two plugins. Returns them unchanged.
 *
 * @example
 * const plugins = assertDistinctTables([clientsPlugin, ledgerPlugin]);
 */
export function assertDistinctTables(plugins: readonly PluginDefinition[]): readonly PluginDefinition[] {
  const owner = new Map<string, string>();
  const problems: DeclarationProblem[] = [];
  for (const plugin of plugins) {
    for (const table of plugin.tables) {
      const first = owner.get(table.name);
      if (first === undefined) {
        owner.set(table.name, plugin.name);
        continue;
      }
      problems.push({
        plugin: plugin.name,
        table: table.name,
        field: 'name',
        message: `table "${table.name}" is already declared by plugin "${first}"`,
      });
    }
  }
  if (problems.length > 0) throw new DeclarationError(problems);
  return plugins;
}

function crossReferenceProblems(declaration: PluginDeclaration): DeclarationProblem[] {
  const problems: DeclarationProblem[] = [];
  const seen = new Set<string>();
  for (const table of declaration.tables) {
    const problem = (field: string, message: string): void => {
      problems.push({ plugin: declaration.name, table: table.name, field, message });
    };
    if (seen.has(table.name)) problem('name', `table "${table.name}" is declared twice`);
    seen.add(table.name);
    const columns = new Set(Object.keys(table.columns));
    if (columns.size === 0) problem('columns', 'a table needs at least one declared column');
    const indexed = new Set<string>();
    (table.indexes ?? []).forEach((index, i) => {
      for (const column of index.columns) {
        if (!columns.has(column)) problem(`indexes[${i}].columns`, `unknown column "${column}"`);
      }
      // The store names an index after its columns, so two indexes on the same columns would collide.
      const key = index.columns.join(',');
      if (indexed.has(key)) problem(`indexes[${i}].columns`, `columns (${key}) are already indexed`);
      indexed.add(key);
    });
    for (const column of table.orderingKey ?? []) {
      if (!columns.has(column)) problem('orderingKey', `unknown column "${column}"`);
    }
    for (const [name, column] of Object.entries(table.columns)) {
      const message = defaultProblem(column);
      if (message !== undefined) problem(`columns.${name}.default`, message);
      for (const [field, limitMessage] of columnLimitProblems(column)) problem(`columns.${name}.${field}`, limitMessage);
    }
  }
  return problems;
}

function toTableDefinition(plugin: string, table: TableDeclaration): TableDefinition {
  const columns: ColumnDefinition[] = Object.entries(table.columns).map(([name, column]) =>
    Object.freeze({ name, type: column.type, nullable: column.nullable ?? true, default: column.default, limits: resolveColumnLimits(column) }),
  );
  return Object.freeze({
    name: table.name,
    plugin,
    columns: Object.freeze(columns),
    indexes: Object.freeze((table.indexes ?? []).map((index) => Object.freeze({ columns: [...index.columns], unique: index.unique ?? false }))),
    strategy: table.strategy,
    resolver: table.resolver,
    appendOnly: table.appendOnly ?? false,
    direction: table.direction ?? 'both',
    orderingKey: Object.freeze([...(table.orderingKey ?? [])]),
  });
}

/** Turns a zod issue into a problem that names the table (by name, not index) and the field. */
function toProblem(plugin: string, declaration: PluginDeclaration, issue: z.core.$ZodIssue): DeclarationProblem {
  const path = [...issue.path];
  // A bad record key (a column name) arrives wrapped; its own message is the useful one.
  const message = issue.code === 'invalid_key' ? (issue.issues[0]?.message ?? issue.message) : issue.message;
  if (path[0] === 'tables' && typeof path[1] === 'number') {
    const raw = declaration.tables?.[path[1]] as { name?: unknown } | undefined;
    const table = typeof raw?.name === 'string' ? raw.name : `#${path[1]}`;
    return { plugin, table, field: formatPath(path.slice(2)), message };
  }
  return { plugin, table: undefined, field: formatPath(path), message };
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), '');
}
