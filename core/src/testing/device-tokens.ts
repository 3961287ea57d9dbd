import { deviceClaims, TokenMinter } from '@equinox-sync/local-cloud';
import { SupabaseRemote, type SupabaseRemoteOptions } from '../remote/index.js';
import { testCloud, type DeviceCloud } from './run-cloud.js';

/**
 * A device's token as a real project provisions one: role `authenticated`, the tenant
 * and the device in `app_metadata` (no device when `device` is left out: such a token
 * reads and writes the tenant's rows, but no installation-bound ones).
 *
 * @example
 * const token = await deviceToken(uniqueTenant('till'), 'till-1');
 */
export function deviceToken(tenant: string, device?: string, cloud: DeviceCloud = testCloud()): Promise<string> {
  return new TokenMinter(cloud.jwtSecret).mint(deviceClaims({ tenant, ...(device === undefined ? {} : { device }) }));
}

/**
 * The remote a device of `tenant` uses: the anon key plus its device token.
 *
 * @example
 * const remote = await deviceRemote(tenant, 'till-1');
 * await remote.push('notes', [{ row, base_version: null }]);
 */
export async function deviceRemote(
  tenant: string,
  device?: string,
  options: SupabaseRemoteOptions & { readonly cloud?: DeviceCloud; readonly url?: string; readonly fetch?: typeof fetch } = {},
): Promise<SupabaseRemote> {
  const { cloud = testCloud(), url, fetch: viaFetch, ...remoteOptions } = options;
  const connection = { url: url ?? cloud.url, key: cloud.anonKey, accessToken: await deviceToken(tenant, device, cloud), ...(viaFetch ? { fetch: viaFetch } : {}) };
  return new SupabaseRemote(connection, remoteOptions);
}
