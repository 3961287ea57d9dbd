/** DI token of {@link SyncOptions}. */
export const SyncOptions = Symbol('SyncOptions');

/**
 * How the engine runs. Every field has a default (see {@link DEFAULT_SYNC_OPTIONS}).
 *
 * @example
 * const options: SyncOptions = { ...DEFAULT_SYNC_OPTIONS, batchSize: 200 };
 */
export interface SyncOptions {
  /** Rows per upload request. */
  readonly batchSize: number;
  /** Rows per pull page. */
  readonly pullPageSize: number;
  /** Seconds between automatic runs. */
  readonly intervalSeconds: number;
  /**
   * How long a local change waits for others to join its run (ms). 0, the default: a run
   * starts at once. The store already makes one signal of the writes of one tick, runs
   * never overlap, and the changes made during a run make one more run after it, so a
   * window only adds latency; a window above 0 is never a debounce: a steady stream of
   * writes cannot postpone its upload. (The name is kept from when this was a debounce.)
   */
  readonly debounceMs: number;
  /** How long the health probe waits for the cloud. */
  readonly healthTimeoutMs: number;
  /** How often the cloud is probed while offline, to notice it coming back. */
  readonly offlineProbeMs: number;
  /** Backoff of refused uploads; after `maxAttempts` an entry still retries, at `maxMs`. */
  readonly retry: { readonly baseMs: number; readonly maxMs: number; readonly maxAttempts: number };
}

/** The defaults of DESIGN.md §4. */
export const DEFAULT_SYNC_OPTIONS: SyncOptions = {
  batchSize: 500,
  pullPageSize: 1000,
  intervalSeconds: 300,
  debounceMs: 0,
  healthTimeoutMs: 3000,
  offlineProbeMs: 10_000,
  retry: { baseMs: 1000, maxMs: 300_000, maxAttempts: 10 },
};
