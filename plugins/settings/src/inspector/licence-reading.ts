import type { Licence, LocalLicensing } from '../licence/licence.js';
import type { LicenceState, LicenceStatus } from '../licence/licence-status.js';

/**
 * The licence as the inspector shows it: the gate's last decision when it ran, else
 * what the device's own copy says (the gate asks the cloud at the next upload).
 *
 * @example
 * const reading: LicenceReading = { state: 'expired', licence, reason: 'uploads paused: …', decidedBy: 'cloud', checkedAt: 1764900000000, revoked: false };
 */
export interface LicenceReading {
  /** `unchecked` never appears: before the gate ran, the device's copy is read instead. */
  readonly state: Exclude<LicenceState, 'unchecked'>;
  readonly licence: Licence | null;
  /** Why uploads are (or, before the first check, will be) paused; null when they go on. */
  readonly reason: string | null;
  /** `cloud`: the cloud's answer; `device`: the device's copy, the cloud being unreachable; `not-checked`: no upload yet since the host started. */
  readonly decidedBy: 'cloud' | 'device' | 'not-checked';
  readonly checkedAt: number | null;
  /** Managed through licence rows that are all revoked. */
  readonly revoked: boolean;
}

/**
 * Reads the licence from the gate's last decision, or, before the gate first ran, from
 * the device's copy by the gate's own offline rules (unmanaged goes on; missing or
 * expired pauses; a valid licence goes on once the cloud accepts the device).
 *
 * @example
 * licenceReading(settings.licenceStatus(), localLicensing(context.store), Date.now()).state; // 'valid'
 */
export function licenceReading(status: LicenceStatus, local: LocalLicensing, now: number): LicenceReading {
  if (status.state !== 'unchecked') {
    return {
      state: status.state,
      licence: status.licence ?? local.licence ?? null,
      reason: status.reason,
      decidedBy: status.source ?? 'device',
      checkedAt: status.checkedAt,
      revoked: local.revoked,
    };
  }
  const base = { licence: local.licence ?? null, decidedBy: 'not-checked', checkedAt: null, revoked: local.revoked } as const;
  if (!local.managed) return { ...base, state: 'unmanaged', reason: null };
  if (local.licence === undefined) return { ...base, state: 'missing', reason: `${local.revoked ? 'the licence was revoked' : 'no licence is on this device'}: uploads pause unless the cloud holds one` };
  if (Date.parse(local.licence.validUntil) <= now) return { ...base, state: 'expired', reason: `the licence expired ${local.licence.validUntil}: uploads pause unless the cloud holds a renewal` };
  return { ...base, state: 'valid', reason: null };
}
