import { createSyncEngine, LocalStore, SupabaseRemote, type PluginDefinition, type SyncEngine, type SyncOptions } from '@equinox-sync/core';

/** Counts HTTP requests by path (e.g. `rpc/eq_pull`), through the `fetch` given to supabase-js. */
export class RequestCounter {
  private readonly counts = new Map<string, number>();
  readonly fetch: typeof fetch = (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const path = new URL(url).pathname.replace(/^\/rest\/v1\//, '');
    this.counts.set(path, (this.counts.get(path) ?? 0) + 1);
    return fetch(input, init);
  };

  total(): number {
    let sum = 0;
    for (const count of this.counts.values()) sum += count;
    return sum;
  }

  byPath(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  reset(): void {
    this.counts.clear();
  }
}

/** Where the cloud is and who the device is. */
export interface DeviceTarget {
  readonly url: string;
  readonly anonKey: string;
  readonly token: string;
}

/** One device as a host builds it: its store, a SupabaseRemote with a counting fetch, the engine. */
export interface BenchDevice {
  readonly store: LocalStore;
  readonly engine: SyncEngine;
  readonly requests: RequestCounter;
  close(): Promise<void>;
}

/**
 * Builds the engine the way the host does (inversify container, core module, default
 * sync options), over a store opened at `path`.
 *
 * @example
 * const device = await openDevice(target, { path, plugin, tenant: 'bench-1' });
 * await device.engine.syncNow();
 */
export async function openDevice(
  target: DeviceTarget,
  options: { path: string; plugin: PluginDefinition; tenant: string; deviceId?: string; sync?: Partial<SyncOptions> },
): Promise<BenchDevice> {
  const store = LocalStore.open({ path: options.path, plugins: [options.plugin], tenantId: options.tenant, deviceId: options.deviceId ?? 'bench-device' });
  const requests = new RequestCounter();
  const remote = new SupabaseRemote({ url: target.url, key: target.anonKey, accessToken: target.token, fetch: requests.fetch }, { timeoutMs: 120_000 });
  const engine = await createSyncEngine({ store, remote, sync: options.sync ?? {} });
  return {
    store,
    engine,
    requests,
    async close() {
      await engine.dispose();
      store.close();
    },
  };
}
