import { RemoteUnavailableError, type PluginContext, type UploadGateContext } from '@equinox-sync/core/plugin';
import { deviceLimitRefusal, parseCloudCheck, REGISTER_DEVICE_FUNCTION } from './cloud-check.js';
import type { LocalLicensing } from './licence.js';
import { pauseReason, UNCHECKED, type LicenceStatus } from './licence-status.js';

/**
 * What the gate needs: who the device is, the cloud, and the device's copy of the
 * licensing rows.
 *
 * @example
 * new LicenceGate({ ...context.device, cloud: context.cloud, local: () => localLicensing(context.store) });
 */
export interface LicenceGateDeps {
  readonly tenantId: string;
  readonly deviceId: string;
  readonly cloud: PluginContext['cloud'];
  readonly local: () => LocalLicensing;
  readonly now?: () => number;
}

type Decision = Omit<LicenceStatus, 'checkedAt'>;

/**
 * How long the cloud's "go on" (a valid licence, or an unmanaged tenant) stands before the
 * gate asks again, never past the licence's `valid_until`. The gate is the device's
 * courtesy: the cloud's push gate judges every push anyway, and a push it refuses pauses
 * the uploads, after which the gate asks at every run.
 *
 * @example
 * const askedAgainAt = settings.licenceStatus().checkedAt! + LICENCE_RECHECK_MS;
 */
export const LICENCE_RECHECK_MS = 5 * 60_000;

/**
 * The licence gate, run as a `beforeUpload` hook (asked by runs with something to send,
 * and by every run while uploads are paused): it asks the cloud (`settings_register_device`,
 * one small call), which judges the tenant's licence by its own clock and registers the
 * device. Uploads pause — changes stay queued, pulls go on — when the tenant is managed
 * (it has a licence row, or `licence.required`) and the licence is missing or expired, or
 * this device is past `max_devices`. An unmanaged tenant uploads freely.
 *
 * A "go on" stands for {@link LICENCE_RECHECK_MS}, never past the licence's `valid_until`
 * by the device's clock, and only while the device's pulled copy of its licensing rows is
 * unchanged: a till selling all day asks once every few minutes, not before every sale,
 * and a pulled renewal, revocation or `licence.required` is asked about at the next run.
 * Any other answer is asked again at the next run, and so is any run while uploads are
 * paused — by this gate or by the cloud's push gate, which refuses a push the moment a
 * licence is revoked or lowered — so a renewal is seen by the very next run, pulled or not.
 *
 * When the cloud cannot be asked, the device decides on its own copy: unmanaged goes
 * on; a missing or expired licence pauses. A valid one goes on when the cloud did not
 * answer at all (`RemoteUnavailableError`: the run's pushes meet the same failure, so the
 * run ends offline with everything queued, and a push that does get through meets the
 * cloud's push gate), or when the cloud already accepted this device since the host
 * started; otherwise (the cloud answered, but without this plugin's SQL, or in words the
 * plugin does not understand) uploads pause until the cloud answers.
 *
 * @example
 * context.hooks.register({ beforeUpload: (upload) => gate.check(upload) });
 */
export class LicenceGate {
  private current: LicenceStatus = UNCHECKED;
  /** The cloud accepted this device under a valid licence since the host started. */
  private accepted = false;
  /** Until when the cloud's last "go on" stands (0: ask at the next run)… */
  private goesOnUntil = 0;
  /** …and only while the device's copy of its licensing rows is still what it was then. */
  private goesOnFor = '';

  constructor(private readonly deps: LicenceGateDeps) {}

  /** The last decision. */
  get status(): LicenceStatus {
    return this.current;
  }

  /**
   * A reason to pause this run's uploads, or undefined to let them go. Never throws.
   * `gate.paused` (uploads are paused now) makes it ask the cloud whatever it decided last.
   */
  async check(gate?: UploadGateContext): Promise<string | undefined> {
    const now = this.now();
    if (gate?.paused === undefined && now < this.goesOnUntil && this.heldCopy() === this.goesOnFor) return undefined;
    let decision: Decision;
    try {
      decision = await this.decide();
    } catch (error) {
      // Reading the device's own copy failed (a closed database): do not let a gate error end the run's pulls.
      decision = { state: 'unknown', reason: pauseReason.unknown(this.deps.tenantId, describe(error)), licence: null, source: 'device' };
    }
    this.current = Object.freeze({ ...decision, checkedAt: now });
    this.goesOnUntil = goesOnUntil(decision, now);
    this.goesOnFor = this.goesOnUntil === 0 ? '' : this.heldCopy();
    return decision.reason ?? undefined;
  }

  /** What the device's copy of its licensing rows says, as one string: a pulled renewal, revocation or `licence.required` changes it. */
  private heldCopy(): string {
    try {
      const { managed, licence, revoked } = this.deps.local();
      return JSON.stringify([managed, revoked, licence?.plan, licence?.validUntil, licence?.maxDevices]);
    } catch {
      return 'unreadable';
    }
  }

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  private async decide(): Promise<Decision> {
    const { tenantId } = this.deps;
    let answer: unknown;
    try {
      answer = await this.deps.cloud.rpc(REGISTER_DEVICE_FUNCTION, { p_device: this.deps.deviceId });
    } catch (error) {
      const refusal = deviceLimitRefusal(error);
      if (refusal === undefined) return this.onDevice(describe(error), error instanceof RemoteUnavailableError);
      this.accepted = false;
      return { state: 'device-limit', reason: pauseReason.refused(refusal), licence: this.deps.local().licence ?? null, source: 'cloud' };
    }
    const check = parseCloudCheck(answer);
    if (check === undefined) return this.onDevice(`${REGISTER_DEVICE_FUNCTION} gave an answer this plugin does not understand`);
    this.accepted = check.state === 'valid';
    const base = { licence: check.licence, source: 'cloud' } as const;
    switch (check.state) {
      case 'unmanaged':
      case 'valid':
        return { ...base, state: check.state, reason: null };
      case 'missing':
        return { ...base, state: 'missing', reason: pauseReason.missing(tenantId, check.revoked) };
      case 'expired':
        return { ...base, state: 'expired', reason: pauseReason.expired(tenantId, check.licence?.validUntil ?? 'at an unknown date') };
    }
  }

  /** The decision on the device's own copy; `unreachable`: the cloud did not answer at all. */
  private onDevice(why: string, unreachable = false): Decision {
    const { tenantId } = this.deps;
    const local = this.deps.local();
    const base = { licence: local.licence ?? null, source: 'device' } as const;
    if (!local.managed) return { ...base, state: 'unmanaged', reason: null };
    if (local.licence === undefined) return { ...base, state: 'missing', reason: pauseReason.missing(tenantId, local.revoked) };
    if (Date.parse(local.licence.validUntil) <= this.now()) {
      return { ...base, state: 'expired', reason: pauseReason.expired(tenantId, local.licence.validUntil) };
    }
    if (this.accepted || unreachable) return { ...base, state: 'valid', reason: null };
    return { ...base, state: 'unknown', reason: pauseReason.unknown(tenantId, why) };
  }
}

/** Until when a decision stands without asking again: only the cloud's "go on" does, and never past the licence's end. */
function goesOnUntil(decision: Decision, now: number): number {
  if (decision.source !== 'cloud' || decision.reason !== null) return 0;
  const end = decision.licence === null ? Number.POSITIVE_INFINITY : Date.parse(decision.licence.validUntil);
  return Math.min(now + LICENCE_RECHECK_MS, Number.isNaN(end) ? 0 : end);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
