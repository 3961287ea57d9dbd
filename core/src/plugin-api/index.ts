/**
 * `@equinox-sync/core/plugin` — the plugin API: everything a plugin's `src` may import
 * from equinox, like VS Code's `vscode` module. A plugin declares its tables (data in its
 * `package.json`), and its `activate(context)` gets a sealed {@link PluginContext}: its own
 * store, register-only hooks, its own cloud functions, a private storage folder,
 * `subscriptions`, and other plugins' APIs through typed tokens.
 *
 * For: plugin authors (third parties and the built-in plugins alike).
 *
 * Stability: this is the contract with plugins. Within a major version names are only
 * added, never removed or narrowed; a plugin built against 0.x runs on any host whose
 * version satisfies its manifest's `engines.equinox` range.
 *
 * @example
 * import { pluginApi, pluginFromPackageJson, type PluginContext } from '@equinox-sync/core/plugin';
 *
 * export interface ClientsApi { add(name: string): string }
 * export const ClientsApi = pluginApi<ClientsApi>('@acme/equinox-clients');
 * export const clientsPlugin = pluginFromPackageJson(packageJson);
 *
 * export function activate(context: PluginContext): ClientsApi {
 *   return { add: (name) => context.store.insert('clients', { name }).id };
 * }
 */

// The context a plugin's `activate` gets, and what its module exports.
export type { PluginContext, PluginHooks, PluginLogger, PluginModule } from './plugin-context.js';
export type { PluginLocalTables, PluginStore } from './plugin-store.js';
export type { ReadOptions } from '../store/scoped-store.js';
export type { ViewReadOptions } from '../store/view-reader.js';
export { pluginApi, type PluginApiToken } from './api-token.js';
export type {
  InspectorAction,
  InspectorActionResult,
  InspectorCell,
  InspectorFact,
  InspectorPanel,
  InspectorSection,
  InspectorTone,
  InspectorView,
  PluginInspector,
} from './inspector-panel.js';

// Declaring the plugin: its manifest and tables.
export { DeclarationError, definePlugin, parsePluginManifest, pluginFromPackageJson, PluginManifestError } from '../declarations/index.js';
export type {
  ActivationEvent,
  ColumnDeclaration,
  ColumnLimits,
  ColumnType,
  ConflictContext,
  ConflictResolution,
  ConflictResolver,
  ConflictStrategy,
  DeclarationProblem,
  IndexDeclaration,
  LocalTableDeclaration,
  PluginDeclaration,
  PluginDefinition,
  PluginManifest,
  PluginManifestOptions,
  PullScope,
  Row,
  SyncDirection,
  TableDeclaration,
  ViewDeclaration,
} from '../declarations/index.js';

// Pipeline hooks and registrations.
export type { SyncHook, UploadGateContext } from '../engine/sync-hooks.js';
export { DisposableCollection, type Disposable } from '../engine/disposable.js';

// Ids, and reading the plugin's own cloud functions.
export { newRecordId } from '../clock/record-id.js';
export { readKeysetPages, type KeysetReading } from '../remote/keyset-pages.js';
export { assertWholeAnswer, IncompleteAnswerError } from '../remote/incomplete-answer.js';
export { RemoteError, RemoteRejectedError, RemoteUnavailableError } from '../remote/remote-errors.js';
export { PUSH_PAUSED_CODE } from '../remote/remote-protocol.js';
