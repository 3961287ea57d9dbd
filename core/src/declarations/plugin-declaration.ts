import type { TableDeclaration, TableDefinition } from './table-declaration.js';

/**
 * What a plugin declares: its name, its version and its tables. Declarations are data,
 * validated by {@link definePlugin} before anything touches a database.
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
  readonly serverSql: string;
}
