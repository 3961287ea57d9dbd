/**
 * `@equinox-sync/core` — the domain-free sync engine, for embedders: open a device's
 * local store with the plugins' tables, wire the engine to a cloud (`SupabaseRemote` or
 * your own `RemoteStore`), watch its status, settle conflicts and confirm deletes. Most
 * apps use `createHost` from `@equinox-sync/host`, built on these names.
 *
 * For: hosts and apps that embed the engine, and tools around it.
 * Plugin authors import `@equinox-sync/core/plugin` instead; the cloud SQL compiler is
 * `@equinox-sync/core/server`; test fixtures are `@equinox-sync/core/testing`.
 *
 * Stability: the names exported here follow semver. The engine's stages, its `_eq_*`
 * tables and its internal constants are not exported and may change in any release.
 *
 * @example
 * import { createSyncEngine, LocalStore, SupabaseRemote } from '@equinox-sync/core';
 * const store = LocalStore.open({ path: 'till.db', plugins: [clientsPlugin], tenantId: 'store-1', deviceId: 'till-1' });
 * const engine = await createSyncEngine({ store, remote: new SupabaseRemote({ url, key, accessToken }) });
 * engine.status$.subscribe((status) => console.log(status.pendingUploads));
 * await engine.syncNow();
 * await engine.dispose();
 */

// The engine and its wiring.
export {
  coreModule,
  createSyncEngine,
  DEFAULT_SYNC_OPTIONS,
  DisposableCollection,
  INITIAL_STATUS,
  SYNC_METER_NAME,
  SyncEngine,
  SyncHookRegistry,
  SyncHooks,
  SyncMeterProvider,
  SyncOptions,
} from './engine/index.js';
export type { ConflictChoice, Disposable, FailedUpload, QuarantineNotice, SyncHook, SyncProgress, SyncRunResult, SyncStatus, UploadGateContext } from './engine/index.js';
export type { SyncTrigger } from './sync/index.js';
export type { ReconcileOptions, ReconcileResult, RecoveryReport, TableReconcileResult } from './recovery/index.js';

// The device's local store.
export { ColumnLimitError, LocalStore, SchemaMigrationError, ScopedStore, StoreError } from './store/index.js';
export type { ConflictRecord, LocalStoreOptions, PendingDelete, QuarantinedRow, ReadOptions, SyncState, ViewReadOptions } from './store/index.js';

// The cloud port and its protocol.
export {
  CloudNotAsExpectedError,
  MAX_PUSH_TABLES,
  PUSH_EXPECTATION_CODE,
  PushPausedError,
  PushTooLargeError,
  RemoteError,
  RemoteProtocolError,
  RemoteRejectedError,
  RemoteStore,
  RemoteTimeoutError,
  RemoteUnavailableError,
  SupabaseRemote,
  SYNC_PROTOCOL_VERSION,
} from './remote/index.js';
export type {
  LiveFeed,
  LiveNudge,
  PullCursor,
  PullPage,
  PushAnswer,
  PushEcho,
  PushExpectation,
  PushItem,
  PushOutcome,
  PushPart,
  PushPartAnswer,
  RemoteErrorInit,
  RemoteHealth,
  RemoteOperation,
  SupabaseConnection,
  SupabaseRemoteOptions,
} from './remote/index.js';

// Record ids and the hybrid logical clock of `updated_at`.
export { compareHlc, formatHlc, HybridLogicalClock, isHlc, newRecordId, parseHlc } from './clock/index.js';
export type { Hlc, HlcParts, HlcStorage, HybridLogicalClockOptions } from './clock/index.js';

// Plugin declarations: what a host loads and opens the store with.
export {
  assertDistinctTables,
  DeclarationError,
  definePlugin,
  MAX_SAFE_INTEGER,
  parsePluginManifest,
  pluginFromPackageJson,
  PluginManifestError,
} from './declarations/index.js';
export type {
  ActivationEvent,
  ColumnDeclaration,
  ColumnDefinition,
  ColumnLimits,
  ColumnType,
  ConflictContext,
  ConflictResolution,
  ConflictResolver,
  ConflictStrategy,
  DeclarationProblem,
  IndexDeclaration,
  IndexDefinition,
  LocalTableDeclaration,
  LocalTableDefinition,
  PluginDeclaration,
  PluginDefinition,
  PluginManifest,
  PluginManifestOptions,
  PullScope,
  Row,
  SyncDirection,
  TableDeclaration,
  TableDefinition,
  ViewDeclaration,
  ViewDefinition,
} from './declarations/index.js';

// Typed handles on plugins' APIs, for `host.api(token)`.
export { apiPluginName, pluginApi, type PluginApiToken } from './plugin-api/api-token.js';

// The device inspector's panels, as the host collects them from plugins.
export { InspectorPanelRegistry, type RegisteredPanel } from './plugin-api/inspector-registry.js';
export type { InspectorAction, InspectorActionResult, InspectorPanel, InspectorSection, InspectorView } from './plugin-api/inspector-panel.js';

// Also at `@equinox-sync/core/server`, its home; kept here for the host's CLI.
export { compileServerSchema } from './server/index.js';
