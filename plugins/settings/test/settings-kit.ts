import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalStore, SyncHookRegistry } from '@equinox-sync/core';
import type { PluginContext } from '@equinox-sync/core/plugin';
import { cloudRest, deviceRemote, type RestAnswer } from '@equinox-sync/core/testing';
import { Container } from 'inversify';
import { activate, settingsPlugin, type SettingsApi } from '../src/index.js';
import type { TestCloud } from '@equinox-sync/local-cloud/testing';

/** The coordinates the root global setup provides as `inject('cloud')`. */
export type Cloud = TestCloud;

/** A cloud function called over PostgREST, as the back office (service key) or a device (its token). */
export function rpc(cloud: Cloud, fn: string, args: object, token = cloud.serviceKey): Promise<RestAnswer> {
  return cloudRest('POST', `rpc/${fn}`, { body: args, token, cloud });
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
  const remote = await deviceRemote(options.tenant, options.device, { cloud });
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
