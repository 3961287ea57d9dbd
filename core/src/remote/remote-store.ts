import type { RemoteError } from './remote-errors.js';
import type { PullCursor, PullPage, PushItem, PushOutcome } from './remote-protocol.js';

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
  readonly error?: RemoteError;
}

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
 * const page = await remote.pull('clients', cursor, 500);
 */
export interface RemoteStore {
  /** Uploads one batch; one outcome per item, in input order. */
  push(table: string, items: readonly PushItem[]): Promise<PushOutcome[]>;
  /** Downloads the page after `cursor` (`null`: from the start), at most `limit` rows. */
  pull(table: string, cursor: PullCursor | null, limit: number): Promise<PullPage>;
  /**
   * Calls another cloud function by name (a plugin's own SQL function), with the
   * device's token; rejects with a `RemoteError` like push and pull.
   */
  rpc<T = unknown>(fn: string, args?: Record<string, unknown>): Promise<T>;
  /** Probes the cloud; never rejects. */
  health(timeoutMs: number): Promise<RemoteHealth>;
}
