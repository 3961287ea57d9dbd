import type { SyncRunResult, SyncStatus, SyncTrigger } from '@equinox-sync/core';

/** A change of the connection `equinox watch` reports: the cloud answering or not, the live channel joined or not. */
export type WatchTransition = 'online' | 'offline' | 'live' | 'not-live';

/**
 * One line of `equinox watch`: a transition, or a finished run with what it did. With
 * `--json` each is printed as it is, one object per line.
 *
 * @example
 * const line: WatchEvent = { at: '2025-05-01T09:30:00.000Z', event: 'online' };
 */
export type WatchEvent =
  | { readonly at: string; readonly event: WatchTransition }
  | ({ readonly at: string; readonly event: 'run'; readonly trigger: SyncTrigger } & SyncRunResult);

/**
 * Turns what the engine reports (its status, the first probe, each run) into the lines
 * `equinox watch` prints: a transition only when the state really changed, never the
 * status's initial `online: false`, which only means "not probed yet"; `live` (the
 * engine's Realtime channel joined) from its first `true` on.
 *
 * @example
 * const events = new WatchEvents();
 * host.status$.subscribe((status) => events.status(status).forEach(print));
 * await host.start();
 * events.probed(await host.probe()).forEach(print);
 * host.runs$.subscribe(({ trigger, result }) => events.run(trigger, result).forEach(print));
 */
export class WatchEvents {
  /** Unknown until the cloud answered or a probe or run found it missing. */
  private online: boolean | undefined;
  private live = false;

  constructor(private readonly now: () => Date = () => new Date()) {}

  /** The transitions a new status shows. */
  status(status: SyncStatus): WatchEvent[] {
    const events: WatchEvent[] = [];
    // The initial `false` is "not known yet": only a known online state can go offline.
    if (status.online && this.online !== true) events.push(this.transition('online'));
    else if (!status.online && this.online === true) events.push(this.transition('offline'));
    if (status.online) this.online = true;
    else if (this.online === true) this.online = false;
    if (status.live !== this.live) {
      this.live = status.live;
      events.push(this.transition(status.live ? 'live' : 'not-live'));
    }
    return events;
  }

  /** The first probe's answer: tells the starting state when the status did not already. */
  probed(online: boolean): WatchEvent[] {
    if (this.online !== undefined) return [];
    this.online = online;
    return [this.transition(online ? 'online' : 'offline')];
  }

  /** A finished run, after an `offline` line when it found no cloud and none was printed yet. */
  run(trigger: SyncTrigger, result: SyncRunResult): WatchEvent[] {
    const events: WatchEvent[] = [];
    if (result.offline && this.online !== false) {
      this.online = false;
      events.push(this.transition('offline'));
    }
    events.push({ at: this.now().toISOString(), event: 'run', trigger, ...result });
    return events;
  }

  private transition(event: WatchTransition): WatchEvent {
    return { at: this.now().toISOString(), event };
  }
}

/**
 * The human line of an event: the time, then the transition, or the run's trigger and
 * what it did (rejected and quarantined rows only when there were some; the error last).
 *
 * @example
 * describeWatchEvent(event); // '2025-05-01T09:30:00.000Z run local-change: up 1, down 0, conflicts 0 (84 ms)'
 */
export function describeWatchEvent(event: WatchEvent): string {
  if (event.event !== 'run') return `${event.at} ${event.event}`;
  const counts = [`up ${event.uploaded}`, `down ${event.downloaded}`, `conflicts ${event.conflicts}`];
  if (event.rejected > 0) counts.push(`rejected ${event.rejected}`);
  if (event.quarantined > 0) counts.push(`quarantined ${event.quarantined}`);
  const error = event.error === null ? '' : ` — ${event.error}`;
  return `${event.at} run ${event.trigger}: ${counts.join(', ')} (${event.durationMs} ms)${error}`;
}
