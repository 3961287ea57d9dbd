import type { ScopedStore } from '@equinox-sync/core';
import type { PluginStore } from '@equinox-sync/core/plugin';
import type { DeviceStore } from '../host/device-store.js';

/**
 * A plugin's store that always reaches the database open now: the host reopens it when
 * another plugin fails to activate, and a plugin may keep its context's store.
 *
 * @example
 * const store = pluginStore(stores, '@acme/clients');
 * store.insert('clients', { name: 'Ada' });
 */
export function pluginStore(stores: DeviceStore, plugin: string): PluginStore {
  const scoped = (): ScopedStore => stores.current.forPlugin(plugin);
  return {
    insert: (...args) => scoped().insert(...args),
    update: (...args) => scoped().update(...args),
    delete: (...args) => scoped().delete(...args),
    get: (...args) => scoped().get(...args),
    query: (...args) => scoped().query(...args),
    restore: (...args) => scoped().restore(...args),
    view: (...args) => scoped().view(...args),
    local: {
      query: (...args) => scoped().local.query(...args),
      upsert: (...args) => scoped().local.upsert(...args),
      delete: (...args) => scoped().local.delete(...args),
      replaceAll: (...args) => scoped().local.replaceAll(...args),
    },
    transaction: (fn) => stores.current.transaction(fn),
  };
}
