import type { Licence } from './licence.js';

/**
 * Where the licence gate stands:
 * - `unchecked`: no upload was attempted since the host started;
 * - `unmanaged`: the tenant has no licence and does not require one: uploads go on;
 * - `valid`: licensed, and this device is within `max_devices`: uploads go on;
 * - `missing`, `expired`, `device-limit`: uploads pause (`reason` says why);
 * - `unknown`: the cloud could not be asked and the device cannot tell: uploads pause.
 *
 * @example
 * if (status.state === 'expired') showRenewalBanner(status.licence?.validUntil);
 */
export type LicenceState = 'unchecked' | 'unmanaged' | 'valid' | 'missing' | 'expired' | 'device-limit' | 'unknown';

/**
 * The licence gate's last decision.
 *
 * @example
 * const { state, reason } = settings.licenceStatus();
 */
export interface LicenceStatus {
  readonly state: LicenceState;
  /** Why uploads are paused (the sync status' `lastError`), or null when they go on. */
  readonly reason: string | null;
  readonly licence: Licence | null;
  /** `cloud`: decided on the cloud's answer; `device`: on the device's copy, the cloud being unreachable. */
  readonly source: 'cloud' | 'device' | null;
  /** When it was decided (ms), or null before the first upload. */
  readonly checkedAt: number | null;
}

/**
 * The status before the gate first ran.
 *
 * @example
 * let status = UNCHECKED;
 */
export const UNCHECKED: LicenceStatus = Object.freeze({ state: 'unchecked', reason: null, licence: null, source: null, checkedAt: null });

/**
 * The pause reasons, worded for `status.lastError`: they name the tenant and, for an
 * expired licence, since when.
 *
 * @example
 * pauseReason.expired('store-1', '2026-10-01T00:00:00.000Z');
 * // 'uploads paused: tenant "store-1" has no valid licence (expired 2026-10-01T00:00:00.000Z)'
 */
export const pauseReason = {
  expired: (tenant: string, validUntil: string): string => `uploads paused: tenant "${tenant}" has no valid licence (expired ${validUntil})`,
  missing: (tenant: string, revoked: boolean): string =>
    `uploads paused: tenant "${tenant}" has no valid licence (${revoked ? 'revoked' : 'none issued, and licence.required is set'})`,
  refused: (cloudMessage: string): string => `uploads paused: ${cloudMessage}`,
  unknown: (tenant: string, why: string): string => `uploads paused: the licence of tenant "${tenant}" could not be checked in the cloud (${why})`,
};
