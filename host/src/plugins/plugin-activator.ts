import { SyncHooks, type Disposable, type PluginContext } from '@equinox-sync/core';
import { Container, inject, injectable } from 'inversify';
import { DeviceStore } from '../host/device-store.js';
import { HostContainer } from '../host/host-container.js';
import { HostLogger, prefixedLogger } from '../host/host-logger.js';
import type { LoadedPlugin } from './plugin-info.js';
import { PluginHooks } from './plugin-hooks.js';
import { pluginStore } from './plugin-store.js';

interface Activation {
  readonly plugin: LoadedPlugin;
  readonly context: PluginContext;
  readonly hooks: PluginHooks;
  readonly logger: HostLogger;
}

/**
 * Activates plugins VS Code style: `activate(context)` with the plugin's own store,
 * hooks, child container, logger and `subscriptions`; deactivates them in reverse order
 * with `deactivate()`, then disposes what they registered. A plugin that throws while
 * activating is cleaned up at once and the error is rethrown for the host to report.
 *
 * @example
 * await activator.activate(plugin);
 * await activator.deactivateAll();
 */
@injectable()
export class PluginActivator {
  private readonly activations: Activation[] = [];

  constructor(
    @inject(SyncHooks) private readonly hooks: SyncHooks,
    @inject(DeviceStore) private readonly stores: DeviceStore,
    @inject(HostContainer) private readonly container: HostContainer,
    @inject(HostLogger) private readonly logger: HostLogger,
  ) {}

  async activate(plugin: LoadedPlugin): Promise<void> {
    const { name, version } = plugin.manifest;
    const logger = prefixedLogger(this.logger, `plugin "${name}"`);
    const hooks = new PluginHooks(this.hooks, name, plugin.definition.tables.map((table) => table.name));
    const context: PluginContext = {
      plugin: { name, version, dir: plugin.dir },
      subscriptions: [],
      store: pluginStore(this.stores, name),
      hooks,
      container: new Container({ parent: this.container }),
      logger,
    };
    const activation = { plugin, context, hooks, logger };
    try {
      await plugin.module?.activate(context);
    } catch (error) {
      await release(activation);
      throw error;
    }
    this.activations.push(activation);
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

/** Disposes a plugin's subscriptions (last first), its hook registrations and its child container. */
async function release({ context, hooks, logger }: Activation): Promise<void> {
  for (const subscription of context.subscriptions.splice(0).reverse() as Disposable[]) {
    try {
      subscription.dispose();
    } catch (error) {
      logger.error(`disposing a subscription failed: ${describe(error)}`);
    }
  }
  hooks.dispose();
  await context.container.unbindAll();
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
