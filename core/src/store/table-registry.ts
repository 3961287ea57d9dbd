import type { Database } from 'better-sqlite3';
import type { ColumnDefinition, TableDefinition } from '../declarations/index.js';
import { StoreError } from './store-error.js';

/**
 * A synced table as the store uses it: its small integer id (what the triggers and the
 * `_eq_` tables record instead of the name) and its declaration.
 *
 * @example
 * const { id, definition } = registry.get('clients')!;
 */
export interface TableContext {
  readonly id: number;
  readonly definition: TableDefinition;
  readonly columns: ReadonlyMap<string, ColumnDefinition>;
}

/**
 * Gives each declared table its id in `_eq_tables`, reusing the one it already has.
 * A table keeps its owner: a second plugin claiming it is refused, naming both.
 *
 * @example
 * const contexts = registerTable(db, definition);
 */
export function registerTable(db: Database, definition: TableDefinition): TableContext {
  const found = db.prepare(`SELECT table_id AS id, plugin FROM _eq_tables WHERE name = ?`).get(definition.name) as
    | { id: number; plugin: string }
    | undefined;
  if (found !== undefined && found.plugin !== definition.plugin) {
    throw new StoreError(
      `plugin "${definition.plugin}" declares table "${definition.name}", which this database keeps for plugin "${found.plugin}"`,
    );
  }
  const id =
    found?.id ??
    Number(db.prepare(`INSERT INTO _eq_tables (name, plugin) VALUES (?, ?)`).run(definition.name, definition.plugin).lastInsertRowid);
  return { id, definition, columns: new Map(definition.columns.map((column) => [column.name, column])) };
}
