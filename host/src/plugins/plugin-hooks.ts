import { DisposableCollection, type ConflictResolver, type Disposable, type SyncHook, type SyncHooks } from '@equinox-sync/core';

/**
 * The hooks one plugin sees: registrations go to the host's registry and are also kept
 * here, so deactivating (or failing to activate) removes them even if the plugin did not
 * push them into its subscriptions. A resolver may only be registered for the plugin's
 * own tables: it would otherwise override another plugin's strategy.
 *
 * @example
 * const hooks = new PluginHooks(registry, '@acme/clients', ['clients']);
 * hooks.registerResolver('clients', keepLocal);
 * hooks.dispose();
 */
export class PluginHooks implements SyncHooks, Disposable {
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

  hooksFor(table?: string): readonly SyncHook[] {
    return this.hooks.hooksFor(table);
  }

  resolverFor(table: string): ConflictResolver | undefined {
    return this.hooks.resolverFor(table);
  }

  dispose(): void {
    this.registrations.dispose();
  }

  private keep(registration: Disposable): Disposable {
    this.registrations.push(registration);
    return registration;
  }
}
