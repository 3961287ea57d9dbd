import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { inject as injectProvided, onTestFinished } from 'vitest';
import { applySql, TokenMinter } from '@equinox-sync/local-cloud';
import { readCloudRows } from '@equinox-sync/local-cloud/testing';
import {
  compileServerSchema,
  createSyncEngine,
  LocalStore,
  SupabaseRemote,
  type PluginDefinition,
  type RemoteStore,
  type SyncEngine,
  type SyncOptions,
} from '../../src/index.js';

export const cloud = injectProvided('cloud');
const tokens = new TokenMinter(cloud.jwtSecret);
const dir = mkdtempSync(join(tmpdir(), 'equinox-engine-'));

/** A suffix that keeps this file's tables apart from other test files sharing the cloud. */
export function uniqueSuffix(): string {
  return randomUUID().replaceAll('-', '').slice(0, 8);
}

export function uniqueTenant(label: string): string {
  return `${label}-${randomUUID().slice(0, 8)}`;
}

export async function installCloudSchema(plugins: readonly PluginDefinition[]): Promise<void> {
  await applySql(cloud, compileServerSchema(plugins));
}

/** One device: its own SQLite file, its own token for `tenant`, an engine over the real cloud. */
export interface Device {
  readonly name: string;
  readonly store: LocalStore;
  readonly engine: SyncEngine;
  readonly remote: RemoteStore;
}

export async function openDevice(options: {
  name: string;
  tenant: string;
  plugins: readonly PluginDefinition[];
  url?: string;
  now?: () => number;
  remote?: (remote: RemoteStore) => RemoteStore;
  sync?: Partial<SyncOptions>;
}): Promise<Device> {
  const store = LocalStore.open({
    path: join(dir, `${options.name}-${uniqueSuffix()}.db`),
    plugins: options.plugins,
    tenantId: options.tenant,
    deviceId: options.name,
    ...(options.now ? { now: options.now } : {}),
  });
  const token = await tokens.mint({ tenant_id: options.tenant, device_id: options.name });
  const real = new SupabaseRemote({ url: options.url ?? cloud.url, key: cloud.anonKey, accessToken: token }, { timeoutMs: 5_000 });
  const remote = options.remote ? options.remote(real) : real;
  const engine = await createSyncEngine({
    store,
    remote,
    sync: { healthTimeoutMs: 2_000, retry: { baseMs: 50, maxMs: 200, maxAttempts: 3 }, ...options.sync },
  });
  onTestFinished(async () => {
    await engine.dispose();
    store.close();
  });
  return { name: options.name, store, engine, remote };
}

/** A service-role client's view of a table in the cloud (bypasses RLS), every page, for assertions. */
export function cloudRows(table: string, tenant: string): Promise<Record<string, unknown>[]> {
  return readCloudRows(cloud, table, tenant);
}

/** Rows as the device holds them, without engine columns, sorted by id. */
export function localRows(device: Device, plugin: string, table: string): Record<string, unknown>[] {
  return device.store
    .forPlugin(plugin)
    .query(table, {}, { includeDeleted: true })
    .sort((a, b) => String(a.id).localeCompare(String(b.id)));
}

/** Only the given columns of each row, for comparing devices and the cloud. */
export function pick(rows: readonly Record<string, unknown>[], columns: readonly string[]): Record<string, unknown>[] {
  return rows.map((row) => Object.fromEntries(columns.map((column) => [column, row[column]])));
}
