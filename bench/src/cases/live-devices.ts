import { createSyncEngine, LocalStore, SupabaseRemote, type RemoteStore, type SyncEngine } from '@equinox-sync/core';
import type { Statement } from 'better-sqlite3';
import { TABLES, tableOf } from '../bench-tables.js';
import type { BenchCloud } from '../cloud-fixture.js';
import { RequestCounter } from '../device.js';
import { removeDb, scratchDb } from '../scratch-files.js';

export const LIVE_PLUGIN = TABLES.live;
export const LIVE_TABLE = tableOf(LIVE_PLUGIN);
/** Long, so that only nudges and local writes drive the started engines' runs. */
const INTERVAL_SECONDS = 300;

/** One till of the live case: its own SQLite file, a counting remote, a real engine. */
export interface LiveDevice {
  readonly name: string;
  readonly store: LocalStore;
  readonly engine: SyncEngine;
  readonly requests: RequestCounter;
  /** Whether row `id` is in this device's database (read on the engine's own connection). */
  has(id: string): boolean;
  close(): Promise<void>;
}

/** How a device of the live case listens. */
export type LiveMode =
  /** Started, on the remote's live channel. */
  | 'live'
  /** Started, on a remote without `listen` (Realtime off): interval, local writes and `syncNow()` only. */
  | 'off'
  /** Never started: `syncNow()` alone, as the one-shot commands and the engine before live sync did. */
  | 'one-shot';

/**
 * Opens device `name` of `tenant` the way the host builds one, with its engine started
 * as `mode` says (300 s interval).
 *
 * @example
 * const till = await openLiveDevice(cloud, 'bench-live-2', 'till-1', 'live');
 * await waitFor(() => till.engine.status.live, 30_000, 'till-1 to join');
 */
export async function openLiveDevice(cloud: BenchCloud, tenant: string, name: string, mode: LiveMode): Promise<LiveDevice> {
  return openLiveDeviceAt({ url: cloud.cloud.url, anonKey: cloud.cloud.anonKey, token: await cloud.token(tenant), scratch: cloud.scratch }, tenant, name, mode);
}

/**
 * Where a device of the live case syncs to and keeps its file: what a watcher process
 * gets from the bench's process.
 *
 * @example
 * const target: LiveTarget = { url: cloud.cloud.url, anonKey: cloud.cloud.anonKey, token, scratch: cloud.scratch };
 */
export interface LiveTarget {
  readonly url: string;
  readonly anonKey: string;
  /** A device token of the tenant. */
  readonly token: string;
  /** The directory device files go to. */
  readonly scratch: string;
}

/**
 * {@link openLiveDevice} from a plain {@link LiveTarget}, in any process.
 *
 * @example
 * const till = await openLiveDeviceAt(target, 'bench-live-50', 'till-7', 'live');
 */
export async function openLiveDeviceAt(target: LiveTarget, tenant: string, name: string, mode: LiveMode): Promise<LiveDevice> {
  const path = scratchDb(target.scratch, `live-${name}`);
  const store = LocalStore.open({ path, plugins: [LIVE_PLUGIN], tenantId: tenant, deviceId: name });
  const requests = new RequestCounter();
  const connection = { url: target.url, key: target.anonKey, accessToken: target.token, fetch: requests.fetch };
  const supabase = new SupabaseRemote(connection, { timeoutMs: 120_000 });
  const remote = mode === 'off' ? withoutLive(supabase) : supabase;
  const engine = await createSyncEngine({ store, remote, sync: { intervalSeconds: INTERVAL_SECONDS } });
  if (mode !== 'one-shot') engine.start();
  const lookup: Statement<[string]> = store.database.prepare(`SELECT 1 FROM ${LIVE_TABLE} WHERE id = ?`);
  return {
    name,
    store,
    engine,
    requests,
    has: (id) => lookup.get(id) !== undefined,
    async close() {
      await engine.dispose();
      store.close();
      removeDb(path);
    },
  };
}

/** The same remote without its live channel: what a cloud without Realtime gives the engine. */
function withoutLive(remote: SupabaseRemote): RemoteStore {
  return {
    push: (table, items) => remote.push(table, items),
    pull: (table, cursor, limit) => remote.pull(table, cursor, limit),
    rpc: (fn, args) => remote.rpc(fn, args),
    health: (timeoutMs) => remote.health(timeoutMs),
    pullMany: (cursors, limit) => remote.pullMany(cursors, limit),
  };
}

/** True when the device has made its first run and is idle (and, if `live`, has joined its channel). */
export function settled(device: LiveDevice, live: boolean): boolean {
  const status = device.engine.status;
  return status.lastSync !== null && !status.isSyncing && status.pendingUploads === 0 && (!live || status.live);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `condition` every `everyMs` until it holds; throws naming `what` after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs: number, what: string, everyMs = 10): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`live: timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Total requests of `devices` since their counters were reset, and the same by path. */
export function requestTotals(devices: readonly LiveDevice[]): { total: number; byPath: Record<string, number> } {
  const byPath: Record<string, number> = {};
  for (const device of devices) {
    for (const [path, count] of Object.entries(device.requests.byPath())) byPath[path] = (byPath[path] ?? 0) + count;
  }
  return { total: Object.values(byPath).reduce((sum, count) => sum + count, 0), byPath };
}
