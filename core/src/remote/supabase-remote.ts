import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import ws from 'ws';
import { assertIdentifier } from '../declarations/index.js';
import type { BackoffPolicy } from '../sync/backoff.js';
import type { LiveFeed } from './live-feed.js';
import { RealtimeFeed } from './realtime-feed.js';
import { isMissingFunction, toRemoteError } from './remote-error-mapping.js';
import { CloudNotAsExpectedError, RemoteError, type RemoteOperation } from './remote-errors.js';
import { liveTopic, type PullCursor, type PullPage, type PushAnswer, type PushExpectation, type PushItem, type PushOutcome, type PushPart } from './remote-protocol.js';
import type { PullManyAnswer, PushPartAnswer, RemoteHealth, RemoteStore } from './remote-store.js';
import { retryingDeadConnections } from './dead-connection-retry.js';
import { asPushAnswer, asPushOutcomes, asPushPartAnswers, expectationArgument, namingPushArguments, pushArguments, pushesArgument } from './push-wire-format.js';
import { asHealthFields, asPullMany, asPullPage } from './response-guards.js';

/**
 * Where the cloud is and who the device is.
 *
 * @example
 * const connection: SupabaseConnection = { url: 'https://xyz.supabase.co', key: anonKey, accessToken: () => auth.freshToken() };
 */
export interface SupabaseConnection {
  /** The project URL, e.g. `https://xyz.supabase.co`. */
  readonly url: string;
  /** The project's anon (publishable) key. Never the service key on a device. */
  readonly key: string;
  /** The user's JWT, carrying the `tenant_id` claim, or a function returning a fresh one. */
  readonly accessToken?: string | (() => Promise<string | null>);
  /** A `fetch` to use instead of the global one (a proxy, a test double for faults). */
  readonly fetch?: typeof fetch;
}

/**
 * Behaviour of a {@link SupabaseRemote}.
 *
 * @example
 * new SupabaseRemote(connection, { timeoutMs: 10_000 });
 */
export interface SupabaseRemoteOptions {
  /** Time budget of one push or pull, in ms. Default 30 000. */
  readonly timeoutMs?: number;
  /**
   * Backoff before a live channel the cloud refused (or closed) is asked again, in ms.
   * Default 1 s doubling to 2 min. A lost socket is reconnected by realtime-js itself.
   */
  readonly liveRetry?: BackoffPolicy;
}

const DEFAULT_LIVE_RETRY: BackoffPolicy = { baseMs: 1000, maxMs: 120_000 };

/**
 * Cursors longer than this (as JSON) are posted to `eq_pull_many` rather than put in its
 * URL: proxies commonly cap a request line at 8 KiB, and beside that many tables a body costs little.
 */
const MAX_URL_CURSORS_CHARS = 4_000;

/**
 * How long `eq_pull_many` is posted after a GET of it was refused or answered by a read
 * replica. Then a GET is tried again: the cloud may have been migrated since, or the
 * project's replica removed, and an hour's extra request is nothing beside a fleet's GETs.
 */
const POST_PULL_MANY_FOR_MS = 60 * 60_000;

/** How long a cloud that refused `eq_push`'s `p_echo` (a schema from before echoes) is not asked for echoes. */
const NO_ECHO_FOR_MS = 60 * 60_000;

/** How a protocol call goes: POST with a JSON body, or GET with its arguments in the URL (reads only). */
type CallMethod = 'post' | 'get';

/**
 * The {@link RemoteStore} over supabase-js: one `rpc()` per call to `eq_push`, `eq_pull`,
 * `eq_pull_many` and `eq_health`, compiled into the cloud by `compileServerSchema`.
 * Failures become typed `RemoteError`s that keep the Postgres code and never carry a key
 * or token.
 * `listen(tenant)` joins the tenant's private Realtime channel with the device's token
 * (see {@link RealtimeFeed}).
 *
 * Given a connection, it builds its own client, whose pushes name their arguments in
 * the URL so PostgREST need not parse the batch ({@link namingPushArguments}) and whose
 * protocol calls are sent again when they went out on a connection the cloud had closed
 * ({@link retryingDeadConnections}); a client you build yourself gets the same with
 * `global: { fetch: namingPushArguments(retryingDeadConnections(fetch)) }`.
 *
 * @example
 * const remote = new SupabaseRemote({ url, key: anonKey, accessToken: userJwt });
 * const outcomes = await remote.push('clients', [{ row, base_version: null }]);
 * const page = await remote.pull('clients', null, 1000);
 * const feed = remote.listen('store-1'); // nudges$, joined$, close()
 */
export class SupabaseRemote implements RemoteStore {
  private readonly client: SupabaseClient;
  private readonly secrets: readonly string[];
  private readonly timeoutMs: number;
  private readonly ownClient: boolean;
  private readonly liveRetry: BackoffPolicy;
  private readonly feeds = new Set<RealtimeFeed>();
  /**
   * Until when `eq_pull_many` is posted (a `Date.now()` value): set when a GET of it was
   * refused (a schema from before the GET form) or answered by a read replica.
   */
  private postPullManyUntil = 0;
  /** Until when pushes go without `p_echo` (a `Date.now()` value): set when a cloud did not know it. */
  private noEchoUntil = 0;
  /** Until when several tables' pushes go one request each: set when a cloud did not know `eq_push_tables`. */
  private singlePushesUntil = 0;

  constructor(source: SupabaseConnection | SupabaseClient, options: SupabaseRemoteOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.liveRetry = options.liveRetry ?? DEFAULT_LIVE_RETRY;
    this.ownClient = isConnection(source);
    if (isConnection(source)) {
      this.client = createDeviceClient(source);
      this.secrets = [source.key, ...(typeof source.accessToken === 'string' ? [source.accessToken] : [])];
    } else {
      this.client = source;
      this.secrets = [];
    }
  }

  async push(table: string, items: readonly PushItem[]): Promise<PushOutcome[]> {
    return (await this.send(table, items, false)).outcomes;
  }

  /**
   * `push` with `p_echo`: the answer carries the push's echo. A cloud from before echoes
   * does not know the argument (PostgREST finds no such function, and runs nothing): the
   * batch goes again without it, and pushes go without it for the next hour.
   */
  async pushWithEcho(table: string, items: readonly PushItem[]): Promise<PushAnswer> {
    if (Date.now() >= this.noEchoUntil) {
      try {
        return await this.send(table, items, true);
      } catch (error) {
        if (!(error instanceof RemoteError && isMissingFunction(error))) throw error;
        this.noEchoUntil = Date.now() + NO_ECHO_FOR_MS;
      }
    }
    return this.send(table, items, false);
  }

  /**
   * `eq_push` with `p_expect`: the cloud checks the expectation before it writes. A cloud
   * whose schema predates the argument runs nothing (PostgREST finds no such function):
   * that is a `CloudNotAsExpectedError` too, `unchecked`.
   */
  async pushExpecting(table: string, items: readonly PushItem[], expect: PushExpectation, echo: boolean): Promise<PushAnswer> {
    try {
      return await this.send(table, items, echo && Date.now() >= this.noEchoUntil, expect);
    } catch (error) {
      if (!(error instanceof RemoteError && isMissingFunction(error))) throw error;
      throw new CloudNotAsExpectedError({
        operation: 'push',
        table,
        code: error.code,
        status: error.status,
        message: `push "${table}": the cloud does not check what the device expects of it (its schema is older than this engine's)`,
        reason: 'unchecked',
      });
    }
  }

  /**
   * Several tables' pushes in one `eq_push_tables` call. A cloud whose schema predates the
   * function runs nothing of it: the pushes go table by table, at once, and so for the next
   * hour. A push the cloud refused on its own comes back as its `error`, as a single push
   * would have thrown it; a failure of the call as a whole (the network, an expectation) rejects.
   */
  async pushTables(parts: readonly PushPart[], expect?: PushExpectation): Promise<PushPartAnswer[]> {
    if (parts.length === 0) return [];
    if (Date.now() >= this.singlePushesUntil) {
      try {
        return await this.sendTables(parts, expect);
      } catch (error) {
        if (!(error instanceof RemoteError && isMissingFunction(error))) throw error;
        this.singlePushesUntil = Date.now() + NO_ECHO_FOR_MS;
      }
    }
    return Promise.all(parts.map((part) => this.pushPart(part, expect)));
  }

  /** One table's push of a `pushTables` call, on its own; its refusal as its answer. */
  private async pushPart(part: PushPart, expect: PushExpectation | undefined): Promise<PushPartAnswer> {
    try {
      if (expect !== undefined) return { answer: await this.pushExpecting(part.table, part.items, expect, part.echo) };
      return { answer: part.echo ? await this.pushWithEcho(part.table, part.items) : { outcomes: await this.push(part.table, part.items), echo: null } };
    } catch (error) {
      if (!(error instanceof RemoteError) || error.retryable || error instanceof CloudNotAsExpectedError) throw error;
      return { error };
    }
  }

  private async sendTables(parts: readonly PushPart[], expect: PushExpectation | undefined): Promise<PushPartAnswer[]> {
    const args = { ...(expect === undefined ? {} : { p_expect: expectationArgument(expect) }), p_pushes: pushesArgument(parts) };
    for (const part of parts) assertIdentifier(part.table, 'table');
    // Expected before sending: an announcement may come before the answer.
    const announcements = parts.map((part) => [...this.feeds].map((feed) => feed.expectEcho(part.table)));
    const applied = new Set<number>();
    try {
      const data = await this.call('push', 'eq_push_tables', args, this.timeoutMs);
      const answers = asPushPartAnswers(data, parts, (failure, table) => toRemoteError(failure, { operation: 'push', table, secrets: this.secrets }));
      answers.forEach((part, index) => {
        if ('answer' in part && part.answer.outcomes.some((outcome) => outcome.status === 'applied')) applied.add(index);
      });
      return answers;
    } finally {
      announcements.forEach((settles, index) => settles.forEach((settle) => settle(applied.has(index))));
    }
  }

  private async send(table: string, items: readonly PushItem[], echo: boolean, expect?: PushExpectation): Promise<PushAnswer> {
    if (items.length === 0) return { outcomes: [], echo: null };
    // The expectation first: the fetch wrapper names the arguments from how the body starts and ends.
    const args = {
      ...(expect === undefined ? {} : { p_expect: expectationArgument(expect) }),
      p_table: assertIdentifier(table, 'table'),
      ...pushArguments(items),
      ...(echo ? { p_echo: true } : {}),
    };
    // Expected before sending: the announcement may come before the answer.
    const announcements = [...this.feeds].map((feed) => feed.expectEcho(table));
    let applied = false;
    try {
      const data = await this.call('push', 'eq_push', args, this.timeoutMs, table);
      const answer = echo ? asPushAnswer(data, items, table) : { outcomes: asPushOutcomes(data, items, table), echo: null };
      applied = answer.outcomes.some((outcome) => outcome.status === 'applied');
      return answer;
    } finally {
      for (const settle of announcements) settle(applied);
    }
  }

  /**
   * Joins `tenant`'s live channel (a private Realtime broadcast channel, `equinox:<tenant>`)
   * with the device's token; the cloud's policy admits only devices of that tenant.
   */
  listen(tenant: string): LiveFeed {
    const feed: RealtimeFeed = new RealtimeFeed(this.client, liveTopic(tenant), {
      refreshAuth: this.ownClient,
      retry: this.liveRetry,
      onClosed: () => this.feeds.delete(feed),
    });
    this.feeds.add(feed);
    return feed;
  }

  async pull(table: string, cursor: PullCursor | null, limit: number): Promise<PullPage> {
    const args = { p_table: assertIdentifier(table, 'table'), p_cursor: cursor, p_limit: limit };
    return asPullPage(await this.call('pull', 'eq_pull', args, this.timeoutMs, table), table, limit);
  }

  /**
   * The probe and every table's first page in one `eq_pull_many` call, within the pull's
   * time budget. A failure rejects like `pull`'s: a transport failure retryable, a cloud
   * without the function as missing (`isMissingFunction`).
   *
   * Asked with GET, the cursors in the URL: a no-op sync is the call a fleet makes most,
   * and without a body it costs the device about half the CPU (and every hop less). Long
   * cursors, and a cloud whose schema reads only a posted object, are posted instead. A
   * GET answered by a read replica (Supabase's load balancer sends GETs to the nearest
   * database) is never used: its marks lag the primary's — behind the device's own they
   * would look like a cloud restored from a backup — so the call is posted (POST always
   * reaches the primary), and for the next hour, after which a GET is tried again.
   */
  async pullMany(cursors: Readonly<Record<string, PullCursor | null>>, limit: number): Promise<PullManyAnswer> {
    const tables = Object.keys(cursors).map((table) => assertIdentifier(table, 'table'));
    const started = performance.now();
    const data = await this.askPullMany(cursors, limit);
    const { health, pages } = asPullMany(data, tables, limit);
    return { health: { online: true, latencyMs: Math.round(performance.now() - started), ...health }, pages };
  }

  private async askPullMany(cursors: Readonly<Record<string, PullCursor | null>>, limit: number): Promise<unknown> {
    const inUrl = JSON.stringify(cursors);
    if (Date.now() >= this.postPullManyUntil && inUrl.length <= MAX_URL_CURSORS_CHARS) {
      try {
        const answer = await this.call('pull', 'eq_pull_many', { p_cursors: inUrl, p_limit: limit }, this.timeoutMs, undefined, 'get');
        if (!answeredByReplica(answer)) return answer;
      } catch (error) {
        if (!refusesCursorsInUrl(error)) throw error;
      }
      this.postPullManyUntil = Date.now() + POST_PULL_MANY_FOR_MS;
    }
    return this.call('pull', 'eq_pull_many', { p_cursors: cursors, p_limit: limit }, this.timeoutMs);
  }

  /** Calls a plugin's own cloud function (`fn` must be a plain identifier); RLS applies as for any call. */
  async rpc<T = unknown>(fn: string, args: Record<string, unknown> = {}): Promise<T> {
    return (await this.call('rpc', assertIdentifier(fn, 'function'), args, this.timeoutMs)) as T;
  }

  async health(timeoutMs: number): Promise<RemoteHealth> {
    const started = performance.now();
    const latency = (): number => Math.round(performance.now() - started);
    try {
      // Posted: a GET could be answered by a read replica, whose marks lag the primary's.
      const data = await this.call('health', 'eq_health', {}, timeoutMs);
      return { online: true, latencyMs: latency(), ...asHealthFields(data) };
    } catch (error) {
      const remoteError = error instanceof RemoteError ? error : unexpected('health', error, this.secrets);
      return { online: !remoteError.retryable, latencyMs: latency(), error: remoteError };
    }
  }

  private async call(operation: RemoteOperation, fn: string, args: object, timeoutMs: number, table?: string, method: CallMethod = 'post'): Promise<unknown> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      // Retries belong to the pipeline's backoff (and a dead kept-alive connection's one
      // resend): supabase-js would retry a GET by itself for seconds, a POST never.
      const request = method === 'get' ? this.client.rpc(fn, args, { get: true }).retry(false) : this.client.rpc(fn, args);
      const { data, error, status } = await request.abortSignal(controller.signal);
      if (error) {
        throw toRemoteError({ ...error, status }, { operation, table, timedOut: controller.signal.aborted, timeoutMs, secrets: this.secrets });
      }
      return data;
    } catch (error) {
      if (error instanceof RemoteError) throw error;
      throw unexpected(operation, error, this.secrets, table);
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * The refusal of a cloud whose `eq_pull_many` predates the GET form: it takes the URL's
 * cursors for a string, not the object they hold.
 */
function refusesCursorsInUrl(error: unknown): boolean {
  return error instanceof RemoteError && error.code === '22023' && error.message.includes('p_cursors must be an object') && error.message.includes('got string');
}

/** Whether an `eq_pull_many` answer says a read replica gave it. */
function answeredByReplica(answer: unknown): boolean {
  const first: unknown = Array.isArray(answer) ? answer[0] : undefined;
  return first !== null && typeof first === 'object' && (first as { replica?: unknown }).replica === true;
}

function isConnection(source: SupabaseConnection | SupabaseClient): source is SupabaseConnection {
  return typeof (source as Partial<SupabaseClient>).rpc !== 'function';
}

function createDeviceClient(connection: SupabaseConnection): SupabaseClient {
  const token = connection.accessToken;
  return createClient(connection.url, connection.key, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    // Node 20 has no global WebSocket; supabase-js builds its realtime client eagerly.
    realtime: { transport: ws as never },
    ...(token === undefined ? {} : { accessToken: typeof token === 'string' ? async () => token : token }),
    global: { fetch: namingPushArguments(retryingDeadConnections(connection.fetch ?? fetch)) },
  });
}

/** A throw supabase-js did not turn into `{ error }` (a failing custom fetch, a token callback). */
function unexpected(operation: RemoteOperation, error: unknown, secrets: readonly string[], table?: string): RemoteError {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return toRemoteError({ status: 0, message, details: message }, { operation, table, secrets });
}
