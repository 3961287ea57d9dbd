import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileServerSchema, LocalStore, SupabaseRemote, SyncHookRegistry, type PluginContext } from '@equinox-sync/core';
import { applySql, TokenMinter } from '@equinox-sync/local-cloud';
import { Container } from 'inversify';
import { activate, settingsPlugin, type SettingsApi } from '../src/index.js';
import type { TestCloud } from '@equinox-sync/local-cloud/testing';

/** The coordinates the root global setup provides as `inject('cloud')`. */
export type Cloud = TestCloud;

/** A tenant no other test uses: every test file shares one cloud. */
export function uniqueTenant(label: string): string {
  return `${label}-${randomUUID()}`;
}

/** Installs the plugin's tables and SQL, taking turns with other test files (as host/test/host-kit.ts does). */
export async function installSettingsSchema(cloud: Cloud): Promise<void> {
  await applySql(cloud, `select pg_advisory_lock(4242);\n${compileServerSchema([settingsPlugin])}\nselect pg_advisory_unlock(4242);`);
}

/** A device token as a real project provisions one: tenant and device in `app_metadata` (no device when left out). */
export function deviceToken(cloud: Cloud, tenant: string, device?: string): Promise<string> {
  return new TokenMinter(cloud.jwtSecret).mint({ app_metadata: { tenant_id: tenant, ...(device === undefined ? {} : { device_id: device }) } });
}

/** A cloud function called over PostgREST, as the back office (service key) or a device (its token). */
export async function rpc(cloud: Cloud, fn: string, args: object, token = cloud.serviceKey): Promise<{ status: number; body: unknown }> {
  return rest(cloud, 'POST', `rpc/${fn}`, args, token);
}

export async function rest(cloud: Cloud, method: string, path: string, body: unknown, token = cloud.serviceKey): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${cloud.url}/rest/v1/${path}`, {
    method,
    headers: { apikey: cloud.anonKey, authorization: `Bearer ${token}`, 'content-type': 'application/json', prefer: 'return=representation' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? null : (JSON.parse(text) as unknown) };
}

/** Issues or renews a tenant's licence with the service key. */
export async function putLicence(cloud: Cloud, tenant: string, licence: { validUntil: string; maxDevices: number; plan?: string }): Promise<void> {
  const { status, body } = await rpc(cloud, 'settings_put_licence', {
    p_tenant: tenant,
    p_plan: licence.plan ?? 'pro',
    p_valid_until: licence.validUntil,
    p_max_devices: licence.maxDevices,
  });
  if (status !== 200) throw new Error(`settings_put_licence: HTTP ${status} ${JSON.stringify(body)}`);
}

/**
 * The plugin activated on a real SQLite file with a context like the host's: its own
 * store, a hook registry, and the cloud reached with the device's token.
 */
export interface PluginDevice {
  readonly store: LocalStore;
  readonly hooks: SyncHookRegistry;
  readonly context: PluginContext;
  readonly api: SettingsApi;
  close(): void;
}

export async function openPluginDevice(
  cloud: Cloud,
  options: { tenant: string; device: string; rpc?: PluginContext['cloud']['rpc']; dir?: string },
): Promise<PluginDevice> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'equinox-settings-'));
  const store = LocalStore.open({ path: join(dir, `${options.device}.db`), plugins: [settingsPlugin], tenantId: options.tenant, deviceId: options.device });
  const remote = new SupabaseRemote({ url: cloud.url, key: cloud.anonKey, accessToken: await deviceToken(cloud, options.tenant, options.device) });
  const hooks = new SyncHookRegistry();
  const context: PluginContext = {
    plugin: { name: settingsPlugin.name, version: settingsPlugin.version, dir: undefined },
    device: { tenantId: options.tenant, deviceId: options.device, role: 'store' },
    storageDir: dir,
    cloud: { rpc: options.rpc ?? ((fn, args) => remote.rpc(fn, args)) },
    subscriptions: [],
    store: store.forPlugin(settingsPlugin.name),
    hooks,
    container: new Container(),
    logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
  };
  const api = activate(context);
  return {
    store,
    hooks,
    context,
    api,
    close: () => {
      for (const subscription of context.subscriptions.splice(0).reverse()) subscription.dispose();
      store.close();
    },
  };
}

/** What the registered `beforeUpload` hooks say: the reason uploads would pause, or undefined. */
export async function gateReason(device: PluginDevice): Promise<string | undefined> {
  for (const hook of device.hooks.hooksFor()) {
    const reason = await hook.beforeUpload?.();
    if (reason) return reason;
  }
  return undefined;
}
