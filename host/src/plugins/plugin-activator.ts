import { InspectorPanelRegistry, RemoteStore, SyncHooks, type Disposable } from '@equinox-sync/core';
import type { PluginApiToken, PluginContext } from '@equinox-sync/core/plugin';
import { Container, inject, injectable } from 'inversify';
import { DeviceStore } from '../host/device-store.js';
import { HostConfig } from '../host/host-config.js';
import { HostLogger, prefixedLogger } from '../host/host-logger.js';
import type { LoadedPlugin } from './plugin-info.js';
import { PluginHookScope } from './plugin-hooks.js';
import { preparePluginStorage } from './plugin-storage.js';
import { pluginStore } from './plugin-store-scope.js';

interface Activation {
  readonly plugin: LoadedPlugin;
  /** What `activate` returned: the plugin's API. */
  readonly exports: unknown;
  readonly context: PluginContext;
  readonly hooks: PluginHookScope;
  readonly logger: HostLogger;
  /** Removes the plugin's inspector panels. */
  readonly releasePanels: () => void;
}

/**
 * Answers a plugin's `context.api(token)`: the host's lookup of an active plugin's API,
 * which throws, naming the plugin, when it is not loaded, not active or offers none.
 *
 * @example
 * await activator.activate(plugin, (token) => host.api(token));
 */
export type PluginApiLookup = <T>(token: PluginApiToken<T>) => T;

/**
 * Activates plugins VS Code style: `activate(context)` with a sealed context (the
 * plugin's own store, register-only hooks, a container of its own with no parent, its
 * logger, `subscriptions`, other plugins' APIs, and a storage folder of this database's
 * own, see {@link preparePluginStorage}); deactivates them in reverse order
 * with `deactivate()`, then disposes what they registered. A plugin that throws while
 * activating is cleaned up at once and the error is rethrown for the host to report.
 *
 * @example
 * await activator.activate(plugin, (token) => host.api(token));
 * await activator.deactivateAll();
 */
@injectable()
export class PluginActivator {
  private readonly activations: Activation[] = [];

  constructor(
    @inject(SyncHooks) private readonly hooks: SyncHooks,
    @inject(DeviceStore) private readonly stores: DeviceStore,
    @inject(HostLogger) private readonly logger: HostLogger,
    @inject(HostConfig) private readonly host: HostConfig,
    @inject(RemoteStore) private readonly remote: RemoteStore,
    @inject(InspectorPanelRegistry) private readonly panels: InspectorPanelRegistry,
  ) {}

  /** What the active plugin `name` returned from `activate`, or undefined. */
  exportsOf(name: string): unknown {
    return this.activations.find((activation) => activation.plugin.manifest.name === name)?.exports;
  }

  /** Whether the plugin `name` has been activated (and not deactivated since). */
  isActive(name: string): boolean {
    return this.activations.some((activation) => activation.plugin.manifest.name === name);
  }

  /** Activates `plugin`; its `context.api(token)` asks `apis`. */
  async activate(plugin: LoadedPlugin, apis: PluginApiLookup): Promise<void> {
    const { name, version } = plugin.manifest;
    const logger = prefixedLogger(this.logger, `plugin "${name}"`);
    const hooks = new PluginHookScope(this.hooks, name, plugin.definition.tables.map((table) => table.name));
    const { config } = this.host;
    const storageDir = preparePluginStorage({ dbPath: config.dbPath, newDatabase: this.stores.newDatabase }, name, logger);
    const context: PluginContext = {
      plugin: { name, version, dir: plugin.dir },
      device: { tenantId: config.tenantId, deviceId: config.deviceId, role: config.role },
      storageDir,
      cloud: { rpc: (fn, args) => this.remote.rpc(fn, args) },
      subscriptions: [],
      store: pluginStore(this.stores, name),
      hooks: hooks.sealed(),
      // No parent: nothing the host bound (the store, the engine, the remote) resolves here.
      container: new Container(),
      logger,
      inspector: this.panels.forPlugin(name),
      api: (token) => apis(token),
    };
    const releasePanels = (): void => this.panels.removePlugin(name);
    let exports: unknown;
    try {
      exports = await plugin.module?.activate(context);
    } catch (error) {
      await release({ plugin, context, hooks, logger, releasePanels, exports: undefined });
      throw error;
    }
    this.activations.push({ plugin, context, hooks, logger, releasePanels, exports });
    logger.debug('activated');
  }

  /** Deactivates every active plugin, last activated first; a throwing plugin is logged and the rest go on. */
  async deactivateAll(): Promise<void> {
    for (const activation of this.activations.splice(0).reverse()) {
      try {
        await activation.plugin.module?.deactivate?.();
      } catch (error) {
        activation.logger.error(`deactivate failed: ${describe(error)}`);
      }
      await release(activation);
    }
  }
}

/** Disposes a plugin's subscriptions (last first), its hook registrations, its inspector panels and its child container. */
async function release({ context, hooks, logger, releasePanels }: Activation): Promise<void> {
  for (const subscription of context.subscriptions.splice(0).reverse() as Disposable[]) {
    try {
      subscription.dispose();
    } catch (error) {
      logger.error(`disposing a subscription failed: ${describe(error)}`);
    }
  }
  hooks.dispose();
  releasePanels();
  await context.container.unbindAll();
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
