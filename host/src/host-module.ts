import { InspectorPanelRegistry, LocalStore, RemoteStore, SyncOptions } from '@equinox-sync/core';
import { ContainerModule } from 'inversify';
import { DeviceStore } from './host/device-store.js';
import { remoteOf, syncOptionsOf } from './host/engine-bindings.js';
import { HostConfig } from './host/host-config.js';
import { HostService } from './host/host-service.js';
import { PluginActivator } from './plugins/plugin-activator.js';
import { PluginLoader } from './plugins/plugin-loader.js';

/**
 * The host's bindings, beside core's `coreModule`. `createHost` binds the constants
 * (`HostConfig`, `HostContainer`, `HostLogger`, `ExtraPlugins`) and may rebind
 * `RemoteStore` (tests, fault injection).
 *
 * @example
 * await container.load(coreModule, hostModule);
 */
export const hostModule = new ContainerModule(({ bind }) => {
  bind(SyncOptions).toDynamicValue(({ get }) => syncOptionsOf(get<HostConfig>(HostConfig))).inSingletonScope();
  bind(RemoteStore).toDynamicValue(({ get }) => remoteOf(get<HostConfig>(HostConfig))).inSingletonScope();
  bind(DeviceStore).toSelf().inSingletonScope();
  // Always the database open now: the host reopens it when a plugin is left out.
  bind(LocalStore).toDynamicValue(({ get }) => get(DeviceStore).current);
  bind(PluginLoader).toSelf().inSingletonScope();
  // The panels plugins add to `equinox inspect`'s page.
  bind(InspectorPanelRegistry).toConstantValue(new InspectorPanelRegistry());
  bind(PluginActivator).toSelf().inSingletonScope();
  bind(HostService).toSelf().inSingletonScope();
});
