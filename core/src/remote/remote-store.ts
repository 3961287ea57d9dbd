import type { LiveFeed } from './live-feed.js';
import type { RemoteError } from './remote-errors.js';
import type { PullCursor, PullPage, PushAnswer, PushExpectation, PushItem, PushOutcome, PushPart } from './remote-protocol.js';

/**
 * The answer to an online probe. `online` is true when the cloud answered in time,
 * even with a refusal (an expired token, say): then `error` says why sync will fail.
 *
 * @example
 * const { online, latencyMs } = await remote.health(2000);
 */
export interface RemoteHealth {
  readonly online: boolean;
  readonly latencyMs: number;
  /** The sync protocol version the cloud's schema was compiled with, when it answered. */
  readonly protocol?: number;
  /** The tenant the cloud reads from the device's token (`null`: the claim is missing). */
  readonly tenant?: string | null;
  /** The device (installation) the cloud reads from the token (`null`: the claim is missing). */
  readonly device?: string | null;
  /**
   * The cloud's identity: a random id made when its schema was first installed. A new one
   * means the cloud was replaced (wiped, a new project); a backup restore brings the old one back.
   */
  readonly epoch?: string;
  /**
   * The cloud's high-water mark: the last `server_version` it handed out, as a decimal
   * string. It only grows; lower than a version the device has seen, the cloud was
   * rewound (restored from an older backup).
   */
  readonly highWater?: string;
  /**
   * The cloud's next transaction id, as a decimal string. At or below the txid of a
   * device's pull cursor, the cloud lives in another cluster now (a dump restored there)
   * and the cursor would skip its new writes.
   */
  readonly nextTxid?: string;
  /**
   * For each table with a pull scope, the value of its claim the cloud read from the
   * token (`null`: the token has none): the rows of that table the cloud shows the device.
   */
  readonly scopes?: Readonly<Record<string, string | null>>;
  readonly error?: RemoteError;
}

/**
 * What `pullMany` answers: the cloud's health, as a probe reads it (online, since it
 * answered), and for every table asked for, the page `pull` would have answered.
 *
 * @example
 * const { health, pages } = await remote.pullMany!({ clients: null, orders: cursor }, 1000);
 * if (health.protocol === SYNC_PROTOCOL_VERSION) apply(pages.clients!);
 */
export interface PullManyAnswer {
  readonly health: RemoteHealth;
  readonly pages: Readonly<Record<string, PullPage>>;
}

/**
 * What one table's push within `pushTables` came to: the cloud's answer (as `pushWithEcho`
 * gives it, `echo: null` when not asked), or the refusal of that push alone.
 *
 * @example
 * for (const [index, part] of answers.entries()) if ('error' in part) console.warn(parts[index]!.table, part.error.message);
 */
export type PushPartAnswer = { readonly answer: PushAnswer } | { readonly error: RemoteError };

/**
 * DI token of {@link RemoteStore}.
 *
 * @example
 * bind(RemoteStore).toConstantValue(new SupabaseRemote({ url, key, accessToken }));
 * constructor(@inject(RemoteStore) private readonly remote: RemoteStore) {}
 */
export const RemoteStore = Symbol('RemoteStore');

/**
 * The port to the cloud. Methods reject with a `RemoteError`: `retryable` says whether
 * the same call may succeed later (network, timeout, 5xx) or not (refused).
 *
 * @example
 * const outcomes = await remote.push('clients', [{ row, base_version: null }]);
 * const checked = await remote.pushExpecting?.('clients', items, expect, true); // { outcomes, echo }
 * const page = await remote.pull('clients', cursor, 500);
 * const first = await remote.pullMany?.({ clients: cursor }, 500); // { health, pages }
 * const feed = remote.listen?.('store-1');
 */
export interface RemoteStore {
  /** Uploads one batch; one outcome per item, in input order. */
  push(table: string, items: readonly PushItem[]): Promise<PushOutcome[]>;
  /**
   * Optional: `push`, with the push's {@link PushEcho} — what lets the next pull skip the
   * rows this push wrote. The engine uses it for tables it also pulls; a remote without
   * it (or a cloud from before echoes, answered with `echo: null`) just pulls them back.
   */
  pushWithEcho?(table: string, items: readonly PushItem[]): Promise<PushAnswer>;
  /**
   * Optional: a push the cloud makes only if it is still as `expect` says — else it writes
   * nothing and the call rejects with a `CloudNotAsExpectedError` (`changed`; `unchecked`
   * when the cloud cannot check). It lets a run with changes to send skip its probe: the
   * first push is the probe. `echo`: ask for the push's echo, as `pushWithEcho` does.
   */
  pushExpecting?(table: string, items: readonly PushItem[], expect: PushExpectation, echo: boolean): Promise<PushAnswer>;
  /**
   * Optional: the pushes of several tables in one request (at most `MAX_PUSH_TABLES`),
   * each answered or refused on its own, in the order given; with `expect`, as
   * `pushExpecting` (the whole call refused with a `CloudNotAsExpectedError`). Rejects as
   * `push` does for the call as a whole. A remote without it pushes table by table.
   */
  pushTables?(parts: readonly PushPart[], expect?: PushExpectation): Promise<PushPartAnswer[]>;
  /** Downloads the page after `cursor` (`null`: from the start), at most `limit` rows. */
  pull(table: string, cursor: PullCursor | null, limit: number): Promise<PullPage>;
  /**
   * Calls another cloud function by name (a plugin's own SQL function), with the
   * device's token; rejects with a `RemoteError` like push and pull.
   */
  rpc<T = unknown>(fn: string, args?: Record<string, unknown>): Promise<T>;
  /** Probes the cloud; never rejects. */
  health(timeoutMs: number): Promise<RemoteHealth>;
  /**
   * Optional: the probe and the first page of each table after its cursor, in one request
   * (`eq_pull_many`; at most `MAX_PULL_MANY_TABLES` tables): what a sync with nothing to
   * upload needs. Rejects with a `RemoteError` like `pull`; a cloud without the function
   * refuses it as missing (`isMissingFunction`), and the engine then asks the ordinary way.
   */
  pullMany?(cursors: Readonly<Record<string, PullCursor | null>>, limit: number): Promise<PullManyAnswer>;
  /**
   * Optional: opens the tenant's live channel, whose nudges let the engine pull as soon
   * as another device pushed (DESIGN.md §4, Live nudges). A remote without it (or a
   * cloud without Realtime) syncs by the engine's other triggers alone.
   */
  listen?(tenant: string): LiveFeed;
}
