import type { Container } from 'inversify';
import type { ConflictResolver } from '../declarations/index.js';
import type { Disposable } from '../engine/disposable.js';
import type { SyncHook } from '../engine/sync-hooks.js';
import type { PluginApiToken } from './api-token.js';
import type { PluginInspector } from './inspector-panel.js';
import type { PluginStore } from './plugin-store.js';

/**
 * Where a plugin writes its log lines; the host prefixes them with the plugin's name.
 *
 * @example
 * context.logger.warn('no defaults found, writing them');
 */
export interface PluginLogger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/**
 * The pipeline as a plugin reaches it: it may only add hooks and resolvers. What other
 * plugins registered stays out of sight. Each `register*` returns a Disposable that
 * removes the registration; the host also removes them when the plugin deactivates.
 *
 * @example
 * context.subscriptions.push(context.hooks.registerResolver('counters', ({ local, remote }) =>
 *   Number(local.count) >= Number(remote.count) ? { pick: 'local' } : { pick: 'remote' }));
 */
export interface PluginHooks {
  /** Adds a hook on the pipeline's stages (validate, beforeUpload, afterUpload, afterPull). */
  register(hook: SyncHook): Disposable;
  /** Settles conflicts on one of the plugin's own tables in code; another plugin's table is refused. */
  registerResolver(table: string, resolver: ConflictResolver): Disposable;
}

/**
 * What the host hands a plugin's `activate`: a sealed context. It reaches the plugin's
 * own tables, register-only hooks, its own cloud functions, a private storage folder and
 * other plugins' public APIs, and nothing else: not the engine, the store's connection,
 * the remote, nor what other plugins registered. Everything registered through it should
 * be pushed into `subscriptions`, which the host disposes on deactivation (hook and
 * resolver registrations made through `hooks` are removed then even if not pushed).
 *
 * @example
 * export function activate(context: PluginContext): void {
 *   context.subscriptions.push(context.hooks.register({
 *     tables: ['clients'],
 *     validate: (_table, row) => (String(row.email ?? '@').includes('@') ? undefined : 'email is not valid'),
 *   }));
 *   const clients = context.api(ClientsApi); // another plugin's API, typed by its token
 * }
 */
export interface PluginContext {
  readonly plugin: { readonly name: string; readonly version: string; readonly dir: string | undefined };
  /** Who this device is: its tenant, its id, and whether it is a head-office (`master`) device. */
  readonly device: { readonly tenantId: string; readonly deviceId: string; readonly role: 'store' | 'master' };
  /**
   * A folder of the plugin's own for this device database (never shared by two databases
   * in one folder; mode 0700), for local files that must never sync (keys, caches), like
   * VS Code's `storageUri`. Created on first activation.
   */
  readonly storageDir: string;
  /**
   * The plugin's own cloud functions (from its `serverSql`), called with the device's
   * token: row-level security applies. Rejects with a `RemoteError` when offline.
   */
  readonly cloud: { rpc<T = unknown>(fn: string, args?: Record<string, unknown>): Promise<T> };
  readonly subscriptions: Disposable[];
  /** The plugin's own tables; another plugin's table is refused. */
  readonly store: PluginStore;
  /** Register-only pipeline hooks, and conflict resolvers for the plugin's own tables. */
  readonly hooks: PluginHooks;
  /**
   * The plugin's own inversify container for its `ContainerModule`s. It has no parent:
   * none of the host's bindings (the store, the engine, the remote) resolve in it.
   */
  readonly container: Container;
  readonly logger: PluginLogger;
  /** Panels the plugin adds to the device inspector (`equinox inspect`): what its domain looks like on this device. */
  readonly inspector: PluginInspector;
  /**
   * Another active plugin's public API (what its `activate` returned), typed by the token
   * that plugin exports. Throws, naming the plugin, when it is not loaded, not active or
   * offers no API. Ask when the API is needed rather than only once in `activate`: a
   * plugin activated later is not active yet.
   *
   * @example
   * const clients = context.api(ClientsApi);
   */
  api<T>(token: PluginApiToken<T>): T;
}

/**
 * What a plugin's main module exports. A host may activate one module several times
 * (one per host in the process), so keep state in the context, not in module globals.
 *
 * @example
 * export async function activate(context: PluginContext): Promise<MyApi> { ...; return api; }
 * export function deactivate(): void { ... }
 */
export interface PluginModule {
  /** May return the plugin's API, which host apps and commands reach through `host.api(token)`. */
  activate(context: PluginContext): unknown;
  deactivate?(): void | Promise<void>;
  /** The plugin's cloud SQL (see `PluginDeclaration.serverSql`): code, so it cannot be in the manifest. */
  readonly serverSql?: string;
}
