/**
 * @equinox-sync/host — the inversify container, VS Code-style plugin loading, and the
 * embedding API (`createHost`); also the `equinox` command line.
 */
export { loadCliConfig, type CliConfigOptions } from './cli/cli-config.js';
export { EquinoxCommand, type CommandArgs, type CommandFlags } from './cli/equinox-command.js';
export { createHost, discoverBuiltins, discoverPlugins, type CreateHostOptions, type DiscoveredPlugins } from './create-host.js';
export { hostModule } from './host-module.js';
export { HOST_VERSION } from './host-version.js';
export type { EquinoxHost } from './host/equinox-host.js';
export type { HeldDelete } from './host/held-delete.js';
export { HostConfig } from './host/host-config.js';
export { HostContainer } from './host/host-container.js';
export { consoleLogger, HostLogger, type LogLevel } from './host/host-logger.js';
export { HostService } from './host/host-service.js';
export { DeviceStore } from './host/device-store.js';
export { resolveHostConfig, type HostConfigSource } from './host/resolve-host-config.js';
export type {
  InspectorConflict,
  InspectorDevice,
  InspectorFailedRow,
  InspectorHeldDelete,
  InspectorPanelState,
  InspectorQueuedRow,
  InspectorQueueTable,
  InspectorState,
  RecordedRun,
} from './inspector/inspector-state.js';
export { serveInspector, type Inspector, type InspectorOptions } from './inspector/inspector-server.js';
export { inspectorState } from './inspector/state-assembly.js';
export type { QueuedChange, QueuedTable } from './inspector/pending-uploads.js';
export { engineProblem } from './plugins/engine-compatibility.js';
export { PluginActivator } from './plugins/plugin-activator.js';
export type { LoadedPlugin, PluginInfo } from './plugins/plugin-info.js';
export { PluginLoader, type PluginLoadResult } from './plugins/plugin-loader.js';
export { PluginLoadError } from './plugins/plugin-load-error.js';
export { ExtraPlugins, type InlinePlugin, type PluginSpec } from './plugins/plugin-spec.js';
