import { toLicence, type Licence } from './licence.js';

/**
 * The cloud function devices call before uploading (see `registerDeviceSql`).
 *
 * @example
 * await context.cloud.rpc(REGISTER_DEVICE_FUNCTION, { p_device: context.device.deviceId });
 */
export const REGISTER_DEVICE_FUNCTION = 'settings_register_device';

/**
 * The cloud's answer to a licence check, the device registered when `state` is `valid`.
 *
 * @example
 * const check = parseCloudCheck(await context.cloud.rpc(REGISTER_DEVICE_FUNCTION, { p_device }));
 */
export interface CloudCheck {
  readonly state: 'unmanaged' | 'valid' | 'missing' | 'expired';
  readonly revoked: boolean;
  readonly licence: Licence | null;
}

const STATES: readonly string[] = ['unmanaged', 'valid', 'missing', 'expired'];

/**
 * Reads the cloud's answer; undefined when it is not one (an older or foreign function).
 *
 * @example
 * parseCloudCheck({ state: 'expired', revoked: false, licence: { plan: 'pro', valid_until: '2026-10-01T00:00:00+00:00', max_devices: 2, features: {} } });
 */
export function parseCloudCheck(answer: unknown): CloudCheck | undefined {
  if (typeof answer !== 'object' || answer === null) return undefined;
  const { state, revoked, licence } = answer as Record<string, unknown>;
  if (typeof state !== 'string' || !STATES.includes(state)) return undefined;
  const valid = typeof licence === 'object' && licence !== null && !Number.isNaN(Date.parse(String((licence as Record<string, unknown>).valid_until)));
  if (licence !== null && !valid) return undefined;
  return {
    state: state as CloudCheck['state'],
    revoked: revoked === true,
    licence: valid ? toLicence(licence as Record<string, unknown>) : null,
  };
}

const DEVICE_LIMIT = /licence for tenant ".*?" allows \d+ devices; device ".*?" (?:would be|is number) \d+/;

/**
 * The cloud's refusal of a device past `max_devices` (SQLSTATE 42501), as the cloud
 * worded it; undefined for any other failure.
 *
 * @example
 * deviceLimitRefusal(error); // 'licence for tenant "store-1" allows 2 devices; device "till-3" would be 3'
 */
export function deviceLimitRefusal(error: unknown): string | undefined {
  if (!(error instanceof Error) || (error as { code?: unknown }).code !== '42501') return undefined;
  return DEVICE_LIMIT.exec(error.message)?.[0];
}
