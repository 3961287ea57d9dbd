import { deviceClaims, TokenMinter } from '@equinox-sync/local-cloud';
import type { PluginContext } from '../plugin-api/index.js';
import { SupabaseRemote, type SupabaseRemoteOptions } from '../remote/index.js';
import { testCloud, type DeviceCloud } from './run-cloud.js';

/** A device's role as its token carries it: a store's till, or a head-office (`master`) device. */
type DeviceRole = PluginContext['device']['role'];

/**
 * A device's token as a real project provisions one: role `authenticated`, the tenant
 * and the device in `app_metadata` (no device when `device` is left out: such a token
 * reads and writes the tenant's rows, but no installation-bound ones).
 *
 * @example
 * const token = await deviceToken(uniqueTenant('till'), 'till-1');
 */
export function deviceToken(tenant: string, device?: string, cloud: DeviceCloud = testCloud()): Promise<string> {
  return mintToken(tenant, device, 'store', cloud);
}

/**
 * A head-office device's token: a {@link deviceToken} with `eq_role: 'master'`, which
 * may read the aggregates that span tenants.
 *
 * @example
 * const office = await masterToken(uniqueTenant('hq'));
 * const { status } = await cloudRest('POST', 'rpc/clients_directory', { body: {}, token: office });
 */
export function masterToken(tenant: string, device?: string, cloud: DeviceCloud = testCloud()): Promise<string> {
  return mintToken(tenant, device, 'master', cloud);
}

/**
 * The remote a device of `tenant` uses: the anon key plus its device token (a head
 * office's with `role: 'master'`).
 *
 * @example
 * const remote = await deviceRemote(tenant, 'till-1');
 * await remote.push('notes', [{ row, base_version: null }]);
 */
export async function deviceRemote(
  tenant: string,
  device?: string,
  options: SupabaseRemoteOptions & { readonly cloud?: DeviceCloud; readonly url?: string; readonly fetch?: typeof fetch; readonly role?: DeviceRole } = {},
): Promise<SupabaseRemote> {
  const { cloud = testCloud(), url, fetch: viaFetch, role = 'store', ...remoteOptions } = options;
  const connection = { url: url ?? cloud.url, key: cloud.anonKey, accessToken: await mintToken(tenant, device, role, cloud), ...(viaFetch ? { fetch: viaFetch } : {}) };
  return new SupabaseRemote(connection, remoteOptions);
}

function mintToken(tenant: string, device: string | undefined, role: DeviceRole, cloud: DeviceCloud): Promise<string> {
  return new TokenMinter(cloud.jwtSecret).mint(deviceClaims({ tenant, role, ...(device === undefined ? {} : { device }) }));
}
