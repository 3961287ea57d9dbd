import type { Observable } from 'rxjs';

/**
 * One announced push: the cloud wrote rows of `table` for the tenant. A hint, not data:
 * the device pulls to learn what changed.
 *
 * @example
 * feed.nudges$.subscribe(({ table }) => pullSoon(table));
 */
export interface LiveNudge {
  readonly table: string;
}

/**
 * A remote's live channel for one tenant (DESIGN.md §4, Live nudges): the pushes the cloud
 * announces, and whether the channel is joined. Delivery is not guaranteed (a nudge can
 * be lost while the socket is down), so a listener keeps its other triggers; the pull
 * cursor stays the truth. The feed reconnects and rejoins by itself, with backoff.
 *
 * @example
 * const feed = remote.listen?.(tenant);
 * feed?.joined$.subscribe((joined) => console.log(joined ? 'live' : 'not live'));
 * feed?.nudges$.subscribe(({ table }) => void engine.syncNow());
 * await feed?.close();
 */
export interface LiveFeed {
  /**
   * Pushes of other devices (and of other remotes of this device), as the cloud
   * announces them. The echo of a push this remote made itself is left out: the run
   * that pushed it pulls after pushing anyway.
   */
  readonly nudges$: Observable<LiveNudge>;
  /** True while the channel is joined; replays the current value to a new subscriber. */
  readonly joined$: Observable<boolean>;
  /** Leaves the channel and closes what the feed opened, timers included; idempotent. */
  close(): Promise<void>;
}
