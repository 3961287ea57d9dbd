import { Subscription } from 'rxjs';
import type { LiveFeed, RemoteStore } from '../remote/index.js';
import { backoffDelay, strongerTrigger, type BackoffPolicy, type SyncTrigger } from '../sync/index.js';

/**
 * What one run does: why it runs, and which tables it pulls (all when `tables` is
 * undefined; a run for nudges pulls only the nudged ones).
 *
 * @example
 * const scope: RunScope = { trigger: 'nudge', tables: new Set(['notes']) };
 */
export interface RunScope {
  readonly trigger: SyncTrigger;
  readonly tables?: ReadonlySet<string>;
}

/**
 * What {@link LiveNudges} tells the engine.
 *
 * @example
 * const events: LiveNudgeEvents = { live: (joined) => patch({ live: joined }), nudge: () => automatic$.next('nudge') };
 */
export interface LiveNudgeEvents {
  /** The channel was joined (true) or lost (false): `status.live`. */
  live(joined: boolean): void;
  /** Something wants a run: the engine feeds a `nudge` trigger into its pipeline. */
  nudge(): void;
}

/**
 * Rows held back by a transaction still open in the cloud are asked for again after
 * about 100 ms, then less and less often, at most this many times; past that the
 * interval or the next nudge brings them.
 */
const HELD_BACK_RETRY: BackoffPolicy & { readonly maxAttempts: number } = { baseMs: 100, maxMs: 5_000, maxAttempts: 10 };

interface HeldBack {
  attempts: number;
  timer?: ReturnType<typeof setTimeout>;
}

/**
 * The engine's side of live nudges (DESIGN.md §4): listens on the remote's live feed of
 * the device's tenant, if the remote has one, and decides what each run pulls.
 *
 * - A nudge of table T asks for a run that pulls T (a burst makes one run, and one more
 *   after it at most: the pipeline's exhaustMapWithTrailing). Any other trigger since
 *   the last run makes it a whole run, which covers every nudge before it.
 * - Joining the channel asks for a whole run (nudges sent before are lost), unless one
 *   is due anyway or has yet to begin its pull.
 * - A pull whose rows the cloud holds back for a moment (PullPage.held_back) is asked
 *   again shortly, while live, instead of waiting for the interval.
 *
 * Nudges are hints: the interval runs on, and the pull cursor decides what comes.
 *
 * @example
 * const live = new LiveNudges(remote, store.tenantId, { live: (on) => patch({ live: on }), nudge: () => triggers.next('nudge') });
 * const listening = live.start();
 * live.note(trigger); // each trigger on its way into the pipeline
 * const scope = live.take(false); // at the start of a run
 * live.pulling(); // right before its pull
 * live.afterPull(scope, report.heldBack);
 * await live.close();
 */
export class LiveNudges {
  private feed: LiveFeed | undefined;
  private joined = false;
  private readonly nudged = new Set<string>();
  /** The trigger of a whole run due, if one is. */
  private whole: SyncTrigger | undefined;
  /** A whole run has started and has not begun its pull yet: it will see all that came before. */
  private pullAhead = false;
  private readonly heldBack = new Map<string, HeldBack>();
  private closing: Promise<void> | undefined;

  constructor(
    private readonly remote: RemoteStore,
    private readonly tenant: string,
    private readonly events: LiveNudgeEvents,
  ) {}

  /** Opens the live feed (nothing when the remote has none); the subscription's end closes it. */
  start(): Subscription {
    if (this.feed !== undefined || this.closing !== undefined || this.remote.listen === undefined) return Subscription.EMPTY;
    const feed = this.remote.listen(this.tenant);
    this.feed = feed;
    const subscription = new Subscription();
    subscription.add(feed.joined$.subscribe((joined) => this.onJoined(joined)));
    subscription.add(feed.nudges$.subscribe(({ table }) => this.onNudge(table)));
    subscription.add(() => void this.close());
    return subscription;
  }

  /** Notes a trigger on its way into the pipeline: any but a nudge makes the next run a whole one. */
  note(trigger: SyncTrigger): void {
    if (trigger === 'nudge') return;
    this.whole = this.whole === undefined ? trigger : strongerTrigger(this.whole, trigger);
  }

  /**
   * What the run starting now does, or undefined when nothing is left for it (its
   * nudges were covered by the run before). `waiting`: a caller waits for a whole run.
   * A run says `local-change` only when nothing else asked for it, so a run for changes
   * that already went up may be skipped without losing a nudge.
   */
  take(waiting: boolean): RunScope | undefined {
    const whole = waiting ? 'manual' : this.whole;
    const nudged = this.nudged.size > 0;
    this.whole = undefined;
    this.pullAhead = whole !== undefined;
    if (whole === undefined) {
      if (!nudged) return undefined;
      const tables = new Set(this.nudged);
      this.nudged.clear();
      return { trigger: 'nudge', tables };
    }
    this.nudged.clear();
    return { trigger: whole === 'local-change' && nudged ? 'nudge' : whole };
  }

  /** The run's pull begins now. */
  pulling(): void {
    this.pullAhead = false;
  }

  /** After a run's pull: tables whose rows were held back are asked for again soon, while live. */
  afterPull(scope: RunScope, heldBack: readonly string[]): void {
    for (const [table, entry] of this.heldBack) {
      if ((scope.tables === undefined || scope.tables.has(table)) && !heldBack.includes(table)) {
        clearTimeout(entry.timer);
        this.heldBack.delete(table);
      }
    }
    if (!this.joined || this.closing !== undefined) return;
    for (const table of heldBack) {
      const entry = this.heldBack.get(table) ?? { attempts: 0 };
      this.heldBack.set(table, entry);
      if (entry.timer !== undefined || entry.attempts >= HELD_BACK_RETRY.maxAttempts) continue;
      entry.attempts += 1;
      entry.timer = setTimeout(() => {
        entry.timer = undefined;
        this.onNudge(table);
      }, backoffDelay(entry.attempts, HELD_BACK_RETRY));
      entry.timer.unref?.();
    }
  }

  /** Leaves the channel, closes the socket and clears every timer; idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.forgetHeldBack();
      const feed = this.feed;
      this.feed = undefined;
      this.onJoined(false);
      await feed?.close();
    })();
    return this.closing;
  }

  private onJoined(joined: boolean): void {
    if (joined === this.joined) return;
    this.joined = joined;
    this.events.live(joined);
    if (!joined) {
      this.forgetHeldBack();
      return;
    }
    // What was announced before the join is lost: a whole run catches up with it, unless
    // one is due or has yet to begin its pull.
    if (this.closing !== undefined || this.whole !== undefined || this.pullAhead) return;
    this.whole = 'nudge';
    this.events.nudge();
  }

  private onNudge(table: string): void {
    if (this.closing !== undefined) return;
    this.nudged.add(table);
    this.events.nudge();
  }

  private forgetHeldBack(): void {
    for (const entry of this.heldBack.values()) clearTimeout(entry.timer);
    this.heldBack.clear();
  }
}
