import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js';
import { BehaviorSubject, distinctUntilChanged, Subject, type Observable } from 'rxjs';
import { backoffDelay, type BackoffPolicy } from '../sync/backoff.js';
import type { LiveFeed, LiveNudge } from './live-feed.js';
import { PushEchoes } from './push-echoes.js';
import { LIVE_PUSH_EVENT } from './remote-protocol.js';
import { closeRealtimeSocket } from './realtime-socket.js';

/**
 * How a {@link RealtimeFeed} joins.
 *
 * @example
 * new RealtimeFeed(client, 'equinox:store-1', { refreshAuth: true, retry: { baseMs: 1000, maxMs: 120_000 } });
 */
export interface RealtimeFeedOptions {
  /**
   * Whether the feed points the client's realtime at its `accessToken` (callback mode,
   * so each heartbeat refreshes the channel's token). Only for a client the remote built:
   * the auth of a client someone else built is theirs.
   */
  readonly refreshAuth: boolean;
  /** Backoff of a join the cloud refused or a channel it closed. */
  readonly retry: BackoffPolicy;
  /** Called once closed (the remote forgets the feed). */
  readonly onClosed?: () => void;
}

/** How long a leave waits for the cloud's answer before the channel is dropped anyway. */
const LEAVE_TIMEOUT_MS = 1000;

/**
 * A tenant's live channel over supabase-js's realtime client: a private broadcast channel
 * (Supabase's Realtime Authorization decides who may join), whose `push` events become
 * nudges. The socket reconnects by itself and the channel rejoins when it is back; a join
 * the cloud refuses, or a channel it closes (an expired token), is retried on a new
 * channel after a backoff, so a cloud without the policy is asked again now and then,
 * never in a loop.
 *
 * @example
 * const feed = new RealtimeFeed(client, liveTopic('store-1'), { refreshAuth: true, retry: { baseMs: 1000, maxMs: 120_000 } });
 * feed.nudges$.subscribe(({ table }) => console.log(`${table} changed`));
 * await feed.close();
 */
export class RealtimeFeed implements LiveFeed {
  private readonly joined = new BehaviorSubject(false);
  private readonly nudges = new Subject<LiveNudge>();
  readonly nudges$: Observable<LiveNudge> = this.nudges.asObservable();
  readonly joined$: Observable<boolean> = this.joined.pipe(distinctUntilChanged());
  private readonly echoes = new PushEchoes();
  private channel: RealtimeChannel | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** The leave of a refused channel, which close() waits for before it looks at the socket. */
  private leaving: Promise<void> = Promise.resolve();
  private failures = 0;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly client: SupabaseClient,
    private readonly topic: string,
    private readonly options: RealtimeFeedOptions,
  ) {
    this.join();
  }

  /**
   * Expects the echo of a push of `table` this device is sending (see PushEchoes); call
   * the result with whether it applied rows. Nothing is expected while not joined: the
   * echo could not arrive.
   */
  expectEcho(table: string): (applied: boolean) => void {
    return this.joined.value ? this.echoes.expect(table) : () => undefined;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      clearTimeout(this.retryTimer);
      const channel = this.channel;
      this.channel = undefined;
      this.setJoined(false);
      if (channel !== undefined) await leave(channel).catch(() => undefined);
      await this.leaving;
      // The socket may carry channels of the client's owner too: closed only when ours was the last.
      if (this.client.getChannels().length === 0) await closeRealtimeSocket(this.client.realtime);
      this.joined.complete();
      this.nudges.complete();
      this.options.onClosed?.();
    })();
    return this.closing;
  }

  /** Opens a channel; whatever goes wrong leaves the feed not joined, never an unhandled rejection. */
  private join(): void {
    this.open().catch(() => this.setJoined(false));
  }

  private async open(): Promise<void> {
    if (this.options.refreshAuth) await this.client.realtime.setAuth().catch(() => undefined);
    if (this.closing !== undefined) return;
    const channel = this.client.channel(this.topic, { config: { private: true } });
    this.channel = channel;
    channel.on('broadcast', { event: LIVE_PUSH_EVENT }, (message) => this.onPush(message.payload));
    try {
      channel.subscribe((status) => this.onStatus(channel, status));
    } catch {
      // No socket could be made (a client built without a WebSocket on Node 20): not live, asked again later.
      await this.retryLater(channel);
    }
  }

  private onStatus(channel: RealtimeChannel, status: `${'SUBSCRIBED' | 'TIMED_OUT' | 'CLOSED' | 'CHANNEL_ERROR'}`): void {
    if (channel !== this.channel || this.closing !== undefined) return;
    if (status === 'SUBSCRIBED') {
      this.failures = 0;
      this.setJoined(true);
      return;
    }
    this.setJoined(false);
    // The socket is down, or the join timed out: realtime-js reconnects and rejoins by itself, with its own backoff.
    if (status === 'TIMED_OUT' || (status === 'CHANNEL_ERROR' && !this.client.realtime.isConnected())) return;
    // Refused with the socket up, or closed by the cloud: a new channel, later.
    void this.retryLater(channel);
  }

  private async retryLater(channel: RealtimeChannel): Promise<void> {
    this.channel = undefined;
    this.leaving = leave(channel).catch(() => undefined);
    await this.leaving;
    if (this.closing !== undefined) return;
    this.failures += 1;
    this.retryTimer = setTimeout(() => this.join(), backoffDelay(this.failures, this.options.retry));
    // A retry never keeps a process alive; close() clears it anyway.
    this.retryTimer.unref?.();
  }

  private onPush(payload: unknown): void {
    const table = (payload as { table?: unknown } | null | undefined)?.table;
    if (typeof table !== 'string' || table === '' || this.echoes.consume(table)) return;
    this.nudges.next({ table });
  }

  private setJoined(joined: boolean): void {
    if (this.joined.closed || this.joined.value === joined) return;
    // Echoes expected before a gap are lost with it.
    this.echoes.clear();
    this.joined.next(joined);
  }
}

/** Leaves and tears the channel down (what `removeChannel` does, with a short wait for the answer). */
async function leave(channel: RealtimeChannel): Promise<void> {
  await channel.unsubscribe(LEAVE_TIMEOUT_MS).catch(() => undefined);
  channel.teardown();
}
