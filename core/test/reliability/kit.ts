import { mkdtempSync, rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { TokenMinter } from '@equinox-sync/local-cloud';
import { readCloudRows } from '@equinox-sync/local-cloud/testing';
import {
  createSyncEngine,
  LocalStore,
  SupabaseRemote,
  type PluginDefinition,
  type PullCursor,
  type RemoteStore,
  type Row,
  type SyncEngine,
  type SyncOptions,
} from '../../src/index.js';

/** Where a cloud is: the shared one (`inject('cloud')`) or one a test file starts itself. */
export interface CloudAccess {
  readonly url: string;
  readonly anonKey: string;
  readonly serviceKey: string;
  readonly jwtSecret: string;
  readonly pgUrl: string;
}

/** `EQUINOX_CHAOS=1` runs the long version of every reliability test. */
export const CHAOS = process.env.EQUINOX_CHAOS === '1';

/** A figure for the fast suite or, under `EQUINOX_CHAOS=1`, the long one. */
export function scale(fast: number, chaos: number): number {
  return CHAOS ? chaos : fast;
}

export const workDir = mkdtempSync(join(tmpdir(), 'equinox-reliability-'));
// Device files of a run (huge rows, corrupted copies, hundreds of schedules) go when the test file ends.
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

export function suffix(): string {
  return randomUUID().replaceAll('-', '').slice(0, 8);
}

export function tenantId(label: string): string {
  return `${label}-${randomUUID().slice(0, 8)}`;
}

/** One line of figures per test, so a run's output carries what each guarantee rests on. */
export function report(test: string, figures: Record<string, number | string | boolean>): void {
  console.log(`[reliability] ${test}: ${Object.entries(figures).map(([k, v]) => `${k}=${v}`).join(', ')}`);
}

/** A small deterministic PRNG (mulberry32), so a run's random choices replay from its seed. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed of this run: `EQUINOX_SEED` replays one, else a fresh one (always printed). */
export function runSeed(): number {
  const given = process.env.EQUINOX_SEED;
  return given !== undefined && given !== '' ? Number(given) : Math.floor(Math.random() * 2 ** 31);
}

export function mintToken(cloud: CloudAccess, claims: Record<string, unknown>): Promise<string> {
  return new TokenMinter(cloud.jwtSecret).mint(claims);
}

/** One device: its SQLite file, its engine over a real cloud, and a way to close both. */
export interface Device {
  readonly name: string;
  readonly path: string;
  readonly store: LocalStore;
  readonly engine: SyncEngine;
  close(): Promise<void>;
}

export interface DeviceOptions {
  readonly cloud: CloudAccess;
  readonly name: string;
  readonly tenant: string;
  readonly plugins: readonly PluginDefinition[];
  /** An existing file to reopen; default a new one in `workDir`. */
  readonly path?: string;
  /** Another URL for the same cloud (a fault proxy). */
  readonly url?: string;
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
  readonly now?: () => number;
  readonly remote?: (remote: RemoteStore) => RemoteStore;
  readonly sync?: Partial<SyncOptions>;
}

export async function openDevice(options: DeviceOptions): Promise<Device> {
  const path = options.path ?? join(workDir, `${options.name}-${suffix()}.db`);
  const store = LocalStore.open({
    path,
    plugins: options.plugins,
    tenantId: options.tenant,
    deviceId: options.name,
    ...(options.now ? { now: options.now } : {}),
  });
  const token = await mintToken(options.cloud, { tenant_id: options.tenant, device_id: options.name });
  const real = new SupabaseRemote(
    { url: options.url ?? options.cloud.url, key: options.cloud.anonKey, accessToken: token, ...(options.fetch ? { fetch: options.fetch } : {}) },
    { timeoutMs: options.timeoutMs ?? 5_000 },
  );
  const engine = await createSyncEngine({
    store,
    remote: options.remote ? options.remote(real) : real,
    sync: { healthTimeoutMs: 2_000, retry: { baseMs: 20, maxMs: 100, maxAttempts: 3 }, ...options.sync },
  });
  let closed: Promise<void> | undefined;
  return {
    name: options.name,
    path,
    store,
    engine,
    close: () =>
      (closed ??= (async () => {
        await engine.dispose();
        store.close();
      })()),
  };
}

/** A remote that forwards to `real` with some calls replaced. */
export function wrapRemote(real: RemoteStore, override: Partial<RemoteStore>): RemoteStore {
  return {
    push: override.push ?? ((table, items) => real.push(table, items)),
    pull: override.pull ?? ((table, cursor, limit) => real.pull(table, cursor, limit)),
    rpc: override.rpc ?? (<T,>(fn: string, args?: Record<string, unknown>) => real.rpc<T>(fn, args)),
    health: override.health ?? ((timeoutMs) => real.health(timeoutMs)),
  };
}

/**
 * Waits until a pull from `device`'s current cursor would deliver `ids`. Other test files
 * share the cloud, and a transaction open anywhere in it holds the pull horizon back, so
 * a row committed a moment ago may be pulled a moment later. Reads with a token of the
 * device's tenant; changes nothing on the device.
 */
export async function waitPullable(cloud: CloudAccess, device: Device, table: string, ids: readonly string[], timeoutMs = 10_000): Promise<void> {
  const remote = new SupabaseRemote({ url: cloud.url, key: cloud.anonKey, accessToken: await mintToken(cloud, { tenant_id: device.store.tenantId, device_id: device.name }) });
  const wanted = new Set(ids);
  let cursor = (device.store.readCursor(table) as PullCursor | undefined) ?? null;
  const deadline = Date.now() + timeoutMs;
  while (wanted.size > 0) {
    const page = await remote.pull(table, cursor, 1000);
    for (const row of page.rows) wanted.delete(String(row.id));
    cursor = page.cursor;
    if (page.has_more) continue;
    if (wanted.size === 0) return;
    if (Date.now() > deadline) throw new Error(`rows ${[...wanted].join(', ')} of ${table} were not pullable within ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** The cloud's rows of a tenant, read with the service key (bypasses RLS), sorted by id. */
export function cloudRows(cloud: CloudAccess, table: string, tenant: string): Promise<Row[]> {
  return readCloudRows<Row>(cloud, table, tenant);
}

/** The device's rows of a table, tombstones included, sorted by id. */
export function localRows(device: { store: LocalStore }, table: string): Row[] {
  const plugin = device.store.tableDefinitions().find((t) => t.name === table)?.plugin;
  if (plugin === undefined) throw new Error(`table ${table} is not declared on this device`);
  return device.store
    .forPlugin(plugin)
    .query(table, {}, { includeDeleted: true })
    .sort((a, b) => String(a.id).localeCompare(String(b.id)));
}

/** Rows reduced to the given columns, keyed by id, for comparing a device with the cloud. */
export function byId(rows: readonly Row[], columns: readonly string[]): Map<string, string> {
  return new Map(rows.map((row) => [String(row.id), JSON.stringify(columns.map((column) => normalise(row[column])))]));
}

function normalise(value: unknown): unknown {
  return value === undefined ? null : value;
}

/** How many rows differ between two keyed views (missing on either side, or different). */
export function divergence(a: Map<string, string>, b: Map<string, string>): { missing: number; extra: number; different: number } {
  let missing = 0;
  let different = 0;
  for (const [id, value] of a) {
    const other = b.get(id);
    if (other === undefined) missing += 1;
    else if (other !== value) different += 1;
  }
  let extra = 0;
  for (const id of b.keys()) if (!a.has(id)) extra += 1;
  return { missing, extra, different };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it holds or `timeoutMs` passes; returns whether it held. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await sleep(everyMs);
  }
}
