import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalStore, SyncHookRegistry } from '@equinox-sync/core';
import type { PluginContext } from '@equinox-sync/core/plugin';
import { Container } from 'inversify';
import { activate, inventoryPlugin, type InventoryApi } from '../src/index.js';

export interface TestDevice {
  readonly api: InventoryApi;
  readonly store: LocalStore;
  readonly hooks: SyncHookRegistry;
  /** The cloud functions the plugin called, in order. */
  readonly rpcCalls: string[];
  close(): void;
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'equinox-inventory-'));
}

/**
 * The inventory activated on a real SQLite file with a context built as the host builds
 * it (sealed: the plugin's container has no parent, so nothing of the device's
 * `LocalStore` but its scoped store is in reach), and `rpc` standing in for the plugin's
 * cloud functions.
 */
export function openDevice(options: {
  dir?: string;
  tenant?: string;
  device?: string;
  role?: 'store' | 'master';
  rpc?: (fn: string, args?: Record<string, unknown>) => Promise<unknown>;
}): TestDevice {
  const dir = options.dir ?? tempDir();
  const tenantId = options.tenant ?? 'tenant-1';
  const deviceId = options.device ?? 'till-1';
  const store = LocalStore.open({ path: join(dir, `${deviceId}.db`), plugins: [inventoryPlugin], tenantId, deviceId });
  const hooks = new SyncHookRegistry();
  const rpcCalls: string[] = [];
  const rpc = options.rpc ?? (() => Promise.reject(new Error('offline')));
  const context: PluginContext = {
    plugin: { name: inventoryPlugin.name, version: inventoryPlugin.version, dir: undefined },
    device: { tenantId, deviceId, role: options.role ?? 'store' },
    storageDir: dir,
    cloud: {
      rpc: <T>(fn: string, args?: Record<string, unknown>) => {
        rpcCalls.push(fn);
        return rpc(fn, args) as Promise<T>;
      },
    },
    subscriptions: [],
    store: store.forPlugin(inventoryPlugin.name),
    hooks,
    container: new Container(),
    logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
  };
  const api = activate(context);
  return {
    api,
    store,
    hooks,
    rpcCalls,
    close: () => {
      for (const subscription of context.subscriptions.splice(0).reverse()) subscription.dispose();
      store.close();
    },
  };
}
