/**
 * The schema of the plugin's private cloud helpers; not `public`, so PostgREST never
 * exposes them as RPC endpoints.
 *
 * @example
 * await client.query(`select ${SETTINGS_SCHEMA}.setting_id('store-1', 'tenant', '', 'currency')`);
 */
export const SETTINGS_SCHEMA = 'equinox_settings';

/**
 * The table counting each tenant's devices against its licence, in `public` so the back
 * office can read it (and free a slot by deleting a row) with the service key.
 *
 * @example
 * await service.from(LICENSED_DEVICES_TABLE).delete().match({ tenant_id: 'store-1', device_id: 'till-9' });
 */
export const LICENSED_DEVICES_TABLE = 'licensed_devices';

/**
 * Settings under this prefix belong to the back office: a device may read them but never
 * write them (the API refuses, and so does the cloud for every role but the service role).
 *
 * @example
 * isReservedKey('licence.required'); // true
 */
export const RESERVED_KEY_PREFIX = 'licence.';

/**
 * The tenant setting that turns the licence gate on for a tenant that has no licence row
 * yet: with it set to `true`, such a tenant's devices pause their uploads.
 *
 * @example
 * await service.rpc('settings_put', { p_tenant: 'store-1', p_key: LICENCE_REQUIRED_KEY, p_value: true });
 */
export const LICENCE_REQUIRED_KEY = 'licence.required';

/**
 * Whether a setting key is the back office's to write.
 *
 * @example
 * if (isReservedKey(key)) throw new SettingsError(`setting "${key}" is written in the cloud only`);
 */
export function isReservedKey(key: string): boolean {
  return key.startsWith(RESERVED_KEY_PREFIX);
}
