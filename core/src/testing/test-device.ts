import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import type { PluginDefinition } from '../declarations/index.js';
import { createSyncEngine, type SyncEngine, type SyncOptions } from '../engine/index.js';
import type { RemoteStore } from '../remote/index.js';
import { LocalStore } from '../store/index.js';
import { deviceRemote } from './device-tokens.js';
import { testCloud, type DeviceCloud } from './run-cloud.js';
import { tempDir } from './temp-dir.js';
import { uniqueSuffix } from './unique-names.js';

/**
 * One device: its own SQLite file, a `LocalStore`, an engine, and the remote it syncs
 * through (a `SupabaseRemote` with the device's token, or what `remote` made of it).
 *
 * @example
 * const till: TestDevice = await openDevice({ name: 'till', tenant, plugins: [notesPlugin] });
 */
export interface TestDevice {
  readonly name: string;
  /** The database file; open it again with `path`. */
  readonly path: string;
  readonly store: LocalStore;
  readonly engine: SyncEngine;
  readonly remote: RemoteStore;
  /** Disposes the engine and closes the store; idempotent. */
  close(): Promise<void>;
}

/**
 * What {@link openDevice} opens.
 *
 * @example
 * const options: TestDeviceOptions = { name: 'till', tenant, plugins: [notesPlugin], sync: { batchSize: 2 } };
 */
export interface TestDeviceOptions {
  /** The device id (in the file, the token and the clock). */
  readonly name: string;
  readonly tenant: string;
  readonly plugins: readonly PluginDefinition[];
  /** Default: the run's cloud (`inject('cloud')`). */
  readonly cloud?: DeviceCloud;
  /** An existing file to open again; default a new one in a temporary folder. */
  readonly path?: string;
  /** Another URL for the same cloud (a fault proxy). */
  readonly url?: string;
  readonly fetch?: typeof fetch;
  /** Time budget of one push or pull. Default 5 s. */
  readonly timeoutMs?: number;
  /** The clock's wall time (ms). */
  readonly now?: () => number;
  /** Wraps the device's remote (faults, counters, a switch between clouds). */
  readonly remote?: (remote: RemoteStore) => RemoteStore;
  /** Over the kit's: probes of 2 s, retries after 50–200 ms, 3 attempts counted. */
  readonly sync?: Partial<SyncOptions>;
  /** Closes the device when the current test ends. Default true; pass false outside a test (`beforeAll`). */
  readonly closeAfterTest?: boolean;
}

/** The kit's engine options: quick probes and retries, so a test's refused rows come back within it. */
const TEST_SYNC: Partial<SyncOptions> = { healthTimeoutMs: 2_000, retry: { baseMs: 50, maxMs: 200, maxAttempts: 3 } };

let folder: string | undefined;

/**
 * Opens a device against the cloud: a real SQLite file with the plugins' tables, a
 * `LocalStore`, an engine, and a `SupabaseRemote` with a token minted for the device.
 * Closed when the test ends, unless told otherwise.
 *
 * @example
 * const till = await openDevice({ name: 'till', tenant: uniqueTenant('notes'), plugins: [notesPlugin] });
 * till.store.forPlugin('notes').insert('notes', { body: 'hello' });
 * await till.engine.syncNow();
 */
export async function openDevice(options: TestDeviceOptions): Promise<TestDevice> {
  const path = options.path ?? join((folder ??= tempDir('devices')), `${options.name}-${uniqueSuffix()}.db`);
  const store = LocalStore.open({
    path,
    plugins: options.plugins,
    tenantId: options.tenant,
    deviceId: options.name,
    ...(options.now ? { now: options.now } : {}),
  });
  const real = await deviceRemote(options.tenant, options.name, {
    cloud: options.cloud ?? testCloud(),
    timeoutMs: options.timeoutMs ?? 5_000,
    ...(options.url ? { url: options.url } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const remote = options.remote ? options.remote(real) : real;
  const engine = await createSyncEngine({ store, remote, sync: { ...TEST_SYNC, ...options.sync } });
  let closed: Promise<void> | undefined;
  const device: TestDevice = {
    name: options.name,
    path,
    store,
    engine,
    remote,
    close: () =>
      (closed ??= (async () => {
        await engine.dispose();
        store.close();
      })()),
  };
  if (options.closeAfterTest !== false) onTestFinished(() => device.close());
  return device;
}
