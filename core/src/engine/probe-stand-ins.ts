import type { CloudRecovery } from '../recovery/index.js';
import type { PushExpectation, RemoteHealth, RemoteStore } from '../remote/index.js';
import type { OnlineMonitor } from './online-monitor.js';

/**
 * How old the last probe (or `eq_pull_many` answer) may be for a run to go on it: a run
 * for nudges, and a run whose pushes carry what the device expects of the cloud — at most
 * one probe per this long while nudges or local changes keep coming, instead of one per run.
 *
 * @example
 * const recent = monitor.recent(PROBE_REUSE_MS);
 */
export const PROBE_REUSE_MS = 30_000;

/** How long runs probe first again after a cloud could not check a push's expectation (a schema older than the engine). */
const UNCHECKED_CLOUD_MS = 60 * 60_000;

/**
 * What a run with changes to send needs instead of a probe: the marks its pushes carry
 * (`PushExpectation`, checked by the cloud before it writes) and the last probe's answer,
 * which stands in for the run's own.
 *
 * @example
 * const stand: ProbeStandIn = { marks, seen };
 */
export interface ProbeStandIn {
  readonly marks: PushExpectation;
  readonly seen: RemoteHealth;
}

/**
 * Decides when a run's pushes may stand in for its probe: only with a remote that can push
 * so (`pushExpecting`), a cloud that answered a probe in the last {@link PROBE_REUSE_MS}
 * with nothing failing since (so a run that ends up sending nothing pulls on a fresh
 * answer, as a run for nudges does), a mark the device recorded, no `reconcile()` waiting,
 * and not within the hour after a cloud could not check.
 *
 * @example
 * const standIns = new ProbeStandIns(remote, monitor, recovery);
 * const stand = standIns.take(); // undefined: probe
 */
export class ProbeStandIns {
  /** Until when runs probe before pushing: the cloud could not check an expectation. */
  private probeFirstUntil = 0;

  constructor(
    private readonly remote: RemoteStore,
    private readonly monitor: OnlineMonitor,
    private readonly recovery: CloudRecovery,
  ) {}

  take(): ProbeStandIn | undefined {
    if (this.remote.pushExpecting === undefined || Date.now() < this.probeFirstUntil) return undefined;
    const seen = this.monitor.recent(PROBE_REUSE_MS);
    const marks = seen === undefined ? undefined : this.recovery.expectation();
    return seen === undefined || marks === undefined ? undefined : { marks, seen };
  }

  /** The cloud could not check an expectation (its schema is older): runs probe first for an hour. */
  unchecked(): void {
    this.probeFirstUntil = Date.now() + UNCHECKED_CLOUD_MS;
  }
}
