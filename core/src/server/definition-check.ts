import {
  assertDistinctTables,
  assertIdentifier,
  COLUMN_TYPES,
  CONFLICT_STRATEGIES,
  identifierProblem,
  SYNC_DIRECTIONS,
  type PluginDefinition,
  type TableDefinition,
} from '../declarations/index.js';

const PLUGIN_NAME = /^(@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*$/;

/**
 * Re-checks, right before SQL is written, everything of a declaration that reaches the
 * SQL text. `definePlugin` already did, but a definition is a plain object: one built
 * by hand (or changed after validation) must not smuggle SQL into the migration.
 * Throws a `TypeError` naming the offending value.
 *
 * @example
 * assertCompilable([definePlugin(declaration)]);
 */
export function assertCompilable(plugins: readonly PluginDefinition[]): void {
  for (const plugin of plugins) {
    if (typeof plugin.name !== 'string' || !PLUGIN_NAME.test(plugin.name)) {
      throw new TypeError(`plugin name ${JSON.stringify(plugin.name)} is not an npm-style package name`);
    }
    if (typeof plugin.serverSql !== 'string') throw new TypeError(`plugin "${plugin.name}": serverSql must be a string`);
    for (const table of plugin.tables) assertTableCompilable(plugin.name, table);
  }
  assertDistinctTables(plugins);
}

function assertTableCompilable(plugin: string, table: TableDefinition): void {
  const where = `plugin "${plugin}"`;
  assertName(table.name, 'table', `${where}: table name`);
  const where2 = `${where} table "${table.name}"`;
  assertOneOf(table.strategy, CONFLICT_STRATEGIES, `${where2}: strategy`);
  assertOneOf(table.direction, SYNC_DIRECTIONS, `${where2}: direction`);
  if (typeof table.appendOnly !== 'boolean') throw new TypeError(`${where2}: appendOnly must be a boolean`);
  if (table.columns.length === 0) throw new TypeError(`${where2}: a table needs at least one declared column`);
  const declared = new Set<string>();
  for (const column of table.columns) {
    assertName(column.name, 'column', `${where2}: column name`);
    if (declared.has(column.name)) throw new TypeError(`${where2}: column "${column.name}" is declared twice`);
    declared.add(column.name);
    assertOneOf(column.type, COLUMN_TYPES, `${where2} column "${column.name}": type`);
    assertDefault(column.default, `${where2} column "${column.name}": default`);
  }
  for (const index of table.indexes) {
    if (index.columns.length === 0) throw new TypeError(`${where2}: an index needs at least one column`);
    for (const column of index.columns) {
      assertIdentifier(column, `${where2}: index column`);
      if (!declared.has(column)) throw new TypeError(`${where2}: index column "${column}" is not declared`);
    }
  }
}

/** Well-formed first (the last gate before SQL text), then not reserved by the engine or the database. */
function assertName(name: string, kind: 'table' | 'column', what: string): void {
  assertIdentifier(name, what);
  const problem = identifierProblem(name, kind);
  if (problem !== undefined) throw new TypeError(`${what}: ${problem}`);
}

function assertOneOf<T>(value: T, allowed: readonly T[], what: string): void {
  if (!allowed.includes(value)) throw new TypeError(`${what} ${JSON.stringify(value)} must be one of ${allowed.join(', ')}`);
}

function assertDefault(value: unknown, what: string): void {
  if (value === undefined || value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number' && Number.isFinite(value)) return;
  throw new TypeError(`${what} must be a constant string, finite number, boolean or null`);
}
