import { join } from 'node:path';
import { Container } from 'inversify';
import { onTestFinished } from 'vitest';
import type { PluginDefinition } from '../declarations/index.js';
import { SyncHookRegistry } from '../engine/index.js';
import type { PluginContext } from '../plugin-api/index.js';
import { InspectorPanelRegistry } from '../plugin-api/inspector-registry.js';
import { LocalStore } from '../store/index.js';
import { tempDir } from './temp-dir.js';

/**
 * A plugin activated on a real SQLite file, without a host or an engine: its API, the
 * context it was given, the device's store, and what it registered and called.
 *
 * @example
 * const { api, store, close }: PluginDevice<NotesApi> = openPluginDevice(notesPlugin, activate);
 */
export interface PluginDevice<Api> {
  /** What `activate` returned. */
  readonly api: Api;
  readonly context: PluginContext;
  /** The device's store (the plugin has only its own tables of it, through `context.store`). */
  readonly store: LocalStore;
  /** The registry the plugin's hooks and resolvers went to, as the engine would run them. */
  readonly hooks: SyncHookRegistry;
  /** The cloud functions the plugin called, in order. */
  readonly rpcCalls: string[];
  /** The inspector panels the plugin registered (`panels.list()`, `panels.find(plugin, id)`). */
  readonly panels: InspectorPanelRegistry;
  /** The database file; open it again with `dir` and `device`. */
  readonly path: string;
  /** Disposes the plugin's subscriptions (last first) and closes the store; idempotent. */
  close(): void;
}

/**
 * What {@link openPluginDevice} opens.
 *
 * @example
 * const options: PluginDeviceOptions = { tenant, device: 'office', role: 'master', rpc: () => Promise.resolve([]) };
 */
export interface PluginDeviceOptions {
  /** Default `tenant-1`. */
  readonly tenant?: string;
  /** The device id, and the file's name (`<device>.db`). Default `till-1`. */
  readonly device?: string;
  /** Default `store`. */
  readonly role?: PluginContext['device']['role'];
  /** The folder of the database file and the plugin's `storageDir`; default a new one. An existing file there is opened again. */
  readonly dir?: string;
  /** Stands in for the plugin's cloud functions; default: every call fails, as with no cloud. */
  readonly rpc?: (fn: string, args?: Record<string, unknown>) => Promise<unknown>;
  /** Closes the device when the current test ends. Default true; pass false outside a test (`beforeAll`). */
  readonly closeAfterTest?: boolean;
}

const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * Activates `plugin` on a real SQLite file with a context built as the host builds it:
 * sealed (its own container with no parent, its own tables of the store), a hook
 * registry, and `rpc` standing in for its cloud functions. No other plugin is there, so
 * `context.api(token)` throws. Closed when the test ends, unless told otherwise.
 *
 * @example
 * const { api, rpcCalls } = openPluginDevice(clientsPlugin, activate, { role: 'master', rpc: () => Promise.resolve([]) });
 * await api.refreshDirectory();
 * expect(rpcCalls).toEqual(['clients_directory']);
 */
export function openPluginDevice<Api>(plugin: PluginDefinition, activate: (context: PluginContext) => Api, options: PluginDeviceOptions = {}): PluginDevice<Api> {
  const dir = options.dir ?? tempDir('plugin-device');
  const tenantId = options.tenant ?? 'tenant-1';
  const deviceId = options.device ?? 'till-1';
  const path = join(dir, `${deviceId}.db`);
  const store = LocalStore.open({ path, plugins: [plugin], tenantId, deviceId });
  const hooks = new SyncHookRegistry();
  const rpcCalls: string[] = [];
  const panels = new InspectorPanelRegistry();
  const rpc = options.rpc ?? ((fn: string) => Promise.reject(new Error(`${fn}: this test device has no cloud`)));
  const context: PluginContext = {
    plugin: { name: plugin.name, version: plugin.version, dir: undefined },
    device: { tenantId, deviceId, role: options.role ?? 'store' },
    storageDir: dir,
    cloud: {
      rpc: <T>(fn: string, args?: Record<string, unknown>) => {
        rpcCalls.push(fn);
        return rpc(fn, args) as Promise<T>;
      },
    },
    subscriptions: [],
    store: store.forPlugin(plugin.name),
    hooks,
    container: new Container(),
    logger: silent,
    inspector: panels.forPlugin(plugin.name),
    api: (token) => {
      throw new Error(`no plugin "${token.plugin}" on this test device: it has only ${plugin.name}`);
    },
  };
  const api = activate(context);
  let closed = false;
  const device: PluginDevice<Api> = {
    api,
    context,
    store,
    hooks,
    rpcCalls,
    panels,
    path,
    close: () => {
      if (closed) return;
      closed = true;
      for (const subscription of context.subscriptions.splice(0).reverse()) subscription.dispose();
      store.close();
    },
  };
  if (options.closeAfterTest !== false) onTestFinished(() => device.close());
  return device;
}
