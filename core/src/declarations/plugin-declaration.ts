import type { LocalTableDeclaration, LocalTableDefinition } from './local-table-declaration.js';
import type { TableDeclaration, TableDefinition } from './table-declaration.js';
import type { ViewDeclaration, ViewDefinition } from './view-declaration.js';

/**
 * What a plugin declares: its name, its version, its synced tables and, for this device
 * only, its local tables and views. Declarations are data, validated by
 * {@link definePlugin} before anything touches a database.
 *
 * @example
 * const declaration: PluginDeclaration = {
 *   name: 'clients',
 *   version: '1.0.0',
 *   tables: [{ name: 'clients', columns: { name: { type: 'text' } }, strategy: 'Manual' }],
 * };
 */
export interface PluginDeclaration {
  /** An npm-style package name, e.g. `@acme/equinox-clients` or `clients`. */
  readonly name: string;
  readonly version: string;
  readonly tables: readonly TableDeclaration[];
  /** Tables kept on the device only, written only through the plugin's store. */
  readonly localTables?: readonly LocalTableDeclaration[];
  /** Read-only SQL views over the plugin's own tables, on the device only. */
  readonly views?: readonly ViewDeclaration[];
  /**
   * Extra cloud SQL (functions, triggers, views) the plugin needs, compiled after the
   * core's own migration. It must be idempotent.
   */
  readonly serverSql?: string;
}

/**
 * A validated plugin declaration.
 *
 * @example
 * const definition: PluginDefinition = definePlugin(declaration);
 * definition.tables[0]?.direction; // 'both' when not declared
 */
export interface PluginDefinition {
  readonly name: string;
  readonly version: string;
  readonly tables: readonly TableDefinition[];
  readonly localTables: readonly LocalTableDefinition[];
  readonly views: readonly ViewDefinition[];
  readonly serverSql: string;
}
