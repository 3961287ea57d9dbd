import { cloudRest, deviceRemote, openPluginDevice, type PluginDevice, type PluginDeviceOptions, type RestAnswer } from '@equinox-sync/core/testing';
import type { TestCloud } from '@equinox-sync/local-cloud/testing';
import { activate, settingsPlugin, type SettingsApi } from '../src/index.js';

/** A cloud function called over PostgREST, as the back office (service key) or a device (its token). */
export function rpc(cloud: TestCloud, fn: string, args: object, token = cloud.serviceKey): Promise<RestAnswer> {
  return cloudRest('POST', `rpc/${fn}`, { body: args, token, cloud });
}

/** Calls a back-office function with the service key; anything but HTTP 200 throws. */
async function backOffice(cloud: TestCloud, fn: string, args: object): Promise<void> {
  const { status, text } = await rpc(cloud, fn, args);
  if (status !== 200) throw new Error(`${fn}: HTTP ${status} ${text}`);
}

/** Issues or renews a tenant's licence, as the back office does. */
export function putLicence(cloud: TestCloud, tenant: string, licence: { validUntil: string; maxDevices: number; plan?: string }): Promise<void> {
  return backOffice(cloud, 'settings_put_licence', {
    p_tenant: tenant,
    p_plan: licence.plan ?? 'pro',
    p_valid_until: licence.validUntil,
    p_max_devices: licence.maxDevices,
  });
}

/** Sets a tenant's setting in the cloud, as the back office does. */
export function putSetting(cloud: TestCloud, tenant: string, key: string, value: unknown): Promise<void> {
  return backOffice(cloud, 'settings_put', { p_tenant: tenant, p_key: key, p_value: value });
}

/** The settings plugin on a device of its own (see `openPluginDevice`). */
export type SettingsDevice = PluginDevice<SettingsApi>;

/**
 * The settings plugin activated on a device of its own, its cloud functions called with
 * the device's token unless `rpc` stands in for them. Closed when the test ends.
 */
export async function openSettingsDevice(
  cloud: TestCloud,
  options: { tenant: string; device: string; rpc?: PluginDeviceOptions['rpc'] },
): Promise<SettingsDevice> {
  const remote = await deviceRemote(options.tenant, options.device, { cloud });
  const rpc = options.rpc ?? ((fn: string, args?: Record<string, unknown>) => remote.rpc(fn, args));
  return openPluginDevice(settingsPlugin, activate, { tenant: options.tenant, device: options.device, rpc });
}

/**
 * What the registered `beforeUpload` hooks say: the reason uploads would pause, or
 * undefined. `paused`: why uploads are paused now, as the engine tells the hooks.
 */
export async function gateReason(device: SettingsDevice, paused?: string): Promise<string | undefined> {
  for (const hook of device.hooks.hooksFor()) {
    const reason = await hook.beforeUpload?.({ paused });
    if (reason) return reason;
  }
  return undefined;
}
