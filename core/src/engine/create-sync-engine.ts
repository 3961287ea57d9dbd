import { Container } from 'inversify';
import type { RemoteStore as RemoteStoreApi } from '../remote/index.js';
import { RemoteStore } from '../remote/index.js';
import { LocalStore } from '../store/index.js';
import { coreModule } from './core-module.js';
import { SyncMeterProvider } from './engine-metrics.js';
import { SyncEngine } from './sync-engine.js';
import { DEFAULT_SYNC_OPTIONS, SyncOptions } from './sync-options.js';

/**
 * A sync engine over an opened store and a remote, without a host: its own inversify
 * container with `coreModule`. The host does the same with plugins and config; tools,
 * tests and benchmarks that need only the engine use this.
 *
 * @example
 * const store = LocalStore.open({ path: 'till.db', plugins: [notes], tenantId: 'store-1' });
 * const engine = await createSyncEngine({ store, remote: new SupabaseRemote({ url, key, accessToken }) });
 * await engine.syncNow();
 * await engine.dispose();
 */
export async function createSyncEngine(options: {
  readonly store: LocalStore;
  readonly remote: RemoteStoreApi;
  /** Over {@link DEFAULT_SYNC_OPTIONS}. */
  readonly sync?: Partial<SyncOptions>;
  /** Where the engine's metrics go; default the global OpenTelemetry provider (a no-op until an SDK is registered). */
  readonly meterProvider?: SyncMeterProvider;
}): Promise<SyncEngine> {
  const container = new Container();
  container.bind(LocalStore).toConstantValue(options.store);
  container.bind(RemoteStore).toConstantValue(options.remote);
  container.bind(SyncOptions).toConstantValue({ ...DEFAULT_SYNC_OPTIONS, ...options.sync });
  if (options.meterProvider !== undefined) container.bind(SyncMeterProvider).toConstantValue(options.meterProvider);
  await container.load(coreModule);
  return container.get(SyncEngine);
}
