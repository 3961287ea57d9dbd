/** Where a running sync is. */
export interface SyncProgress {
  readonly phase: 'upload' | 'pull';
  readonly table: string;
  readonly done: number;
  /** Known for uploads (the queue length at the start); for pulls, rows seen so far plus one page when more wait. */
  readonly total: number;
}

/** An upload the cloud refused (or a hook held back); it keeps its data and is retried with backoff. */
export interface FailedUpload {
  readonly table: string;
  readonly id: string;
  readonly reason: string;
  readonly attempts: number;
  /** When it is retried next (ms since the epoch). */
  readonly nextAttemptAt: number;
}

/**
 * A pulled row the device set aside because it could not decode or apply it; the rest
 * of the sync went on. A later good version of the row removes it.
 *
 * @example
 * for (const q of status.quarantined) console.warn(`${q.table} ${q.id ?? '(no id)'}: ${q.reason}`);
 */
export interface QuarantineNotice {
  readonly table: string;
  /** The row's id, or `null` when it came without a usable one. */
  readonly id: string | null;
  /** Why, naming the column where there is one. */
  readonly reason: string;
  /** When it arrived (ms since the epoch). */
  readonly receivedAt: number;
}

/**
 * Everything a UI needs to show about sync, emitted by `SyncEngine.status$` on every change.
 *
 * @example
 * engine.status$.subscribe((s) => badge.set(s.online ? `${s.pendingUploads} to send` : 'offline'));
 */
export interface SyncStatus {
  /** When the last complete run ended (ms since the epoch), or null. */
  readonly lastSync: number | null;
  /** Local changes waiting to upload (deletes awaiting confirmation excluded). */
  readonly pendingUploads: number;
  /** Records whose newer cloud version is known but not applied yet. */
  readonly pendingDownloads: number;
  readonly isSyncing: boolean;
  /** Why the last run failed or paused, or null. Never contains a secret. */
  readonly lastError: string | null;
  /** Whether the cloud answered its health probe in time. */
  readonly online: boolean;
  /**
   * Whether the live channel is joined: pushes of other devices are pulled as soon as the
   * cloud announces them (DESIGN.md §4, Live nudges). False before `start()`, while the
   * socket is down or the join refused (a cloud without Realtime), and for a remote
   * without live updates; the interval syncs all the same.
   */
  readonly live: boolean;
  /** Records waiting in the conflict inbox. */
  readonly conflicts: number;
  /** Uploads refused and backing off, oldest first (at most 100). */
  readonly failed: readonly FailedUpload[];
  /**
   * Why uploads are paused (a push gate of the cloud, or a plugin's), as the last run
   * that tried found it, or null when they went on. Rows keep waiting meanwhile.
   */
  readonly uploadsPaused: string | null;
  /** Pulled rows set aside, oldest first (at most 100; `SyncEngine.listQuarantined()` has them all, with the rows). */
  readonly quarantined: readonly QuarantineNotice[];
  readonly progress: SyncProgress | null;
}

/** What one run did. */
export interface SyncRunResult {
  readonly uploaded: number;
  readonly downloaded: number;
  /** Conflicts found in this run (resolved by strategy or stored for a person). */
  readonly conflicts: number;
  readonly rejected: number;
  /** Pulled rows set aside in this run because the device could not take them. */
  readonly quarantined: number;
  readonly durationMs: number;
  /** True when the run found no cloud at its first call (the probe, or its first pushes when it went without one) and made no other. */
  readonly offline: boolean;
  /** Why the run ended early, if it did. */
  readonly error: string | null;
}

/** The status before anything is known. */
export const INITIAL_STATUS: SyncStatus = {
  lastSync: null,
  pendingUploads: 0,
  pendingDownloads: 0,
  isSyncing: false,
  lastError: null,
  online: false,
  live: false,
  conflicts: 0,
  failed: [],
  uploadsPaused: null,
  quarantined: [],
  progress: null,
};

/**
 * The result of a run that did nothing: stopped before it began, or failed past its own handling.
 *
 * @example
 * resolve(nothingDone(0, 'the sync engine was disposed'));
 */
export function nothingDone(durationMs: number, error: string | null): SyncRunResult {
  return { uploaded: 0, downloaded: 0, conflicts: 0, rejected: 0, quarantined: 0, durationMs, offline: false, error };
}
