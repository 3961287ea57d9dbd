import type { RemoteHealth } from '../remote/index.js';

/**
 * Who the device is configured to be; the cloud's answer is compared with it.
 *
 * @example
 * const identity: DeviceIdentity = { tenantId: 'store-1', deviceId: 'till-1' };
 */
export interface DeviceIdentity {
  readonly tenantId: string;
  readonly deviceId: string;
}

/**
 * What the cloud read from the device's token, compared with the device's config.
 * `refusal`: the token is another tenant's (or names none), so the run must send and
 * take nothing — every row would be refused by RLS, or worse, land in the wrong
 * tenant's view. `warning`: the token is another installation's; tenant data still
 * syncs, but the cloud refuses the writes bound to an installation. A cloud that does
 * not say (an older schema) is neither.
 *
 * @example
 * const { refusal, warning } = checkTokenIdentity(await remote.health(3000), { tenantId, deviceId });
 * if (refusal) return fail(refusal);
 */
export function checkTokenIdentity(health: RemoteHealth, identity: DeviceIdentity): { refusal?: string; warning?: string } {
  const fix = `mint a token for "${identity.tenantId}" (equinox cloud token --tenant ${identity.tenantId} --device ${identity.deviceId})`;
  if (health.tenant !== undefined && health.tenant !== identity.tenantId) {
    const seen = health.tenant === null || health.tenant === '' ? 'the token names no tenant' : `the token is for tenant "${health.tenant}"`;
    return { refusal: `${seen} but this device is configured for tenant "${identity.tenantId}": ${fix}` };
  }
  if (typeof health.device === 'string' && health.device !== identity.deviceId) {
    return {
      warning:
        `the token is for device "${health.device}" but this device is "${identity.deviceId}": ` +
        `shared data syncs, writes bound to an installation will be refused; ${fix}`,
    };
  }
  return {};
}
