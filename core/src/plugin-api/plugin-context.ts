import type { Container } from 'inversify';
import type { Disposable } from '../engine/disposable.js';
import type { SyncHooks } from '../engine/sync-hooks.js';
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
 * What the host hands a plugin's `activate`. Everything registered through it should be
 * pushed into `subscriptions`, which the host disposes on deactivation (hook and
 * resolver registrations made through `hooks` are removed then even if not pushed).
 *
 * @example
 * export function activate(context: PluginContext): void {
 *   context.subscriptions.push(context.hooks.register({
 *     tables: ['clients'],
 *     validate: (_table, row) => (String(row.email ?? '@').includes('@') ? undefined : 'email is not valid'),
 *   }));
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
  /** Pipeline hooks, and conflict resolvers for the plugin's own tables. */
  readonly hooks: SyncHooks;
  /** A child of the host's container: load the plugin's own `ContainerModule`s here. */
  readonly container: Container;
  readonly logger: PluginLogger;
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
  /** May return the plugin's API, which host apps and commands reach through `host.api(name)`. */
  activate(context: PluginContext): unknown;
  deactivate?(): void | Promise<void>;
  /** The plugin's cloud SQL (see `PluginDeclaration.serverSql`): code, so it cannot be in the manifest. */
  readonly serverSql?: string;
}
