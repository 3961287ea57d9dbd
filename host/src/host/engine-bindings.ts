import { DEFAULT_SYNC_OPTIONS, SupabaseRemote, type RemoteStore, type SyncOptions } from '@equinox-sync/core';
import type { HostConfig } from './host-config.js';

/**
 * The engine's options: the defaults, then the config's `sync` section, then what was
 * given in code (`createHost({ sync })`).
 *
 * @example
 * bind(SyncOptions).toDynamicValue(({ get }) => syncOptionsOf(get(HostConfig)));
 */
export function syncOptionsOf({ config, sync }: HostConfig): SyncOptions {
  const { intervalSeconds, batchSize, retry } = config.sync;
  return { ...DEFAULT_SYNC_OPTIONS, intervalSeconds, batchSize, retry: { ...retry }, ...sync };
}

/**
 * The cloud as the config names it: supabase-js with the anon key and the device's token.
 *
 * @example
 * bind(RemoteStore).toDynamicValue(({ get }) => remoteOf(get(HostConfig)));
 */
export function remoteOf({ config }: HostConfig): RemoteStore {
  const { url, key, accessToken } = config.supabase;
  return new SupabaseRemote({ url, key, ...(accessToken === undefined ? {} : { accessToken }) });
}
