import type { ColumnDefinition, LocalTableDefinition, PluginDefinition, ViewDefinition } from '../declarations/index.js';
import { StoreError } from './store-error.js';

/**
 * A local table as the store uses it: its declaration and its columns by name.
 *
 * @example
 * const { definition, columns } = locals.localTable('exchange_rates', 'acme-rates');
 */
export interface LocalTableContext {
  readonly definition: LocalTableDefinition;
  readonly columns: ReadonlyMap<string, ColumnDefinition>;
}

/**
 * The local tables and views of the plugins this store was opened with, by name, and
 * the rule that a plugin reaches only its own.
 *
 * @example
 * const locals = new LocalDirectory(plugins);
 * locals.view('order_totals', 'acme-orders').select;
 */
export class LocalDirectory {
  private readonly tables = new Map<string, LocalTableContext>();
  private readonly views = new Map<string, ViewDefinition>();

  constructor(plugins: readonly PluginDefinition[]) {
    for (const plugin of plugins) {
      for (const definition of plugin.localTables) {
        this.tables.set(definition.name, { definition, columns: new Map(definition.columns.map((column) => [column.name, column])) });
      }
      for (const view of plugin.views) this.views.set(view.name, view);
    }
  }

  /** The local table `name` of `plugin`; a {@link StoreError} names what is wrong otherwise. */
  localTable(name: string, plugin: string): LocalTableContext {
    const context = this.tables.get(name);
    if (context === undefined) throw new StoreError(`plugin "${plugin}" has no local table "${name}"`);
    if (context.definition.plugin !== plugin) {
      throw new StoreError(`plugin "${plugin}" cannot use local table "${name}": it belongs to plugin "${context.definition.plugin}"`);
    }
    return context;
  }

  /** The view `name` of `plugin`; a {@link StoreError} names what is wrong otherwise. */
  view(name: string, plugin: string): ViewDefinition {
    const view = this.views.get(name);
    if (view === undefined) throw new StoreError(`plugin "${plugin}" has no view "${name}"`);
    if (view.plugin !== plugin) throw new StoreError(`plugin "${plugin}" cannot read view "${name}": it belongs to plugin "${view.plugin}"`);
    return view;
  }
}
