import { DisposableCollection, type ConflictResolver, type Disposable, type SyncHook, type SyncHooks } from '@equinox-sync/core';
import type { PluginHooks } from '@equinox-sync/core/plugin';

/**
 * The hooks of one plugin: registrations go to the host's registry and are also kept
 * here, so deactivating (or failing to activate) removes them even if the plugin did not
 * push them into its subscriptions. A resolver may only be registered for the plugin's
 * own tables: it would otherwise override another plugin's strategy. The plugin itself
 * gets only {@link PluginHookScope.sealed}.
 *
 * @example
 * const scope = new PluginHookScope(registry, '@acme/clients', ['clients']);
 * scope.sealed().registerResolver('clients', keepLocal);
 * scope.dispose();
 */
export class PluginHookScope implements PluginHooks, Disposable {
  private readonly registrations = new DisposableCollection();

  constructor(
    private readonly hooks: SyncHooks,
    private readonly plugin: string,
    private readonly tables: readonly string[],
  ) {}

  register(hook: SyncHook): Disposable {
    return this.keep(this.hooks.register(hook));
  }

  registerResolver(table: string, resolver: ConflictResolver): Disposable {
    if (!this.tables.includes(table)) {
      throw new Error(`plugin "${this.plugin}" may register a resolver only for its own tables (${this.tables.join(', ') || 'none'}), not "${table}"`);
    }
    return this.keep(this.hooks.registerResolver(table, resolver));
  }

  /**
   * What the plugin's context holds: `register` and `registerResolver`, and no path to
   * the registry (so not to other plugins' hooks and resolvers) nor to `dispose`.
   */
  sealed(): PluginHooks {
    return Object.freeze({
      register: (hook: SyncHook) => this.register(hook),
      registerResolver: (table: string, resolver: ConflictResolver) => this.registerResolver(table, resolver),
    });
  }

  dispose(): void {
    this.registrations.dispose();
  }

  private keep(registration: Disposable): Disposable {
    this.registrations.push(registration);
    return registration;
  }
}
