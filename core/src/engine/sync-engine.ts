import { inject, injectable, optional } from 'inversify';
import { BehaviorSubject, EMPTY, Subject, from, merge, tap, type Observable, type Subscription } from 'rxjs';
import { CloudNotAsExpectedError, RemoteError, RemoteStore, SYNC_PROTOCOL_VERSION } from '../remote/index.js';
import { isMissingFunction } from '../remote/remote-error-mapping.js';
import { CloudRecovery, type ReconcileOptions, type ReconcileResult, type RecoveryReport } from '../recovery/index.js';
import { LocalStore, type ConflictRecord, type PendingDelete, type QuarantinedRow } from '../store/index.js';
import { exhaustMapWithTrailing, strongerTrigger, syncTriggers, type SyncTrigger } from '../sync/index.js';
import { EngineMetrics, SyncMeterProvider } from './engine-metrics.js';
import { LiveNudges, type RunScope } from './live-nudges.js';
import { FirstPagesReader } from './first-pages.js';
import { OnlineMonitor } from './online-monitor.js';
import { PROBE_REUSE_MS, ProbeStandIns } from './probe-stand-ins.js';
import { PullStage } from './pull-stage.js';
import { PushEchoes } from './push-echoes.js';
import { QueueDepth } from './queue-depth.js';
import type { RunContext, StageCounts } from './run-context.js';
import { SyncHooks } from './sync-hooks.js';
import { SyncOptions } from './sync-options.js';
import { INITIAL_STATUS, nothingDone, type SyncProgress, type SyncRunResult, type SyncStatus } from './sync-status.js';
import { checkTokenIdentity } from './token-identity.js';
import { UploadStage } from './upload-stage.js';
import { settleConflicts, type ConflictChoice } from './settle-conflicts.js';

/** What one attempt at a run ended with (the counts go on in the run's own object). */
interface AttemptEnd {
  readonly error: string | null;
  readonly warning: string | undefined;
  readonly offline: boolean;
}

/**
 * The sync engine: `detect → queue → upload → pull → resolve`. Triggers (`syncNow()`,
 * a committed local change, coming back online, an interval, and once started a live
 * nudge: another device's push the cloud announced) feed one run at a time; a trigger
 * during a run causes one more run after it. A run with nothing to upload is one request
 * (`pullMany`: the probe and every table's first page) when the remote and the cloud have
 * it. A run with changes to send makes no probe once the engine has heard from the cloud:
 * its first push carries the marks the device recorded, and the cloud refuses it whole,
 * writing nothing, if it was replaced or restored meanwhile — then the run probes,
 * repairs and sends. Offline, a run makes no call but the health probe (or that one
 * request), and changes stay queued.
 *
 * @example
 * const engine = container.get(SyncEngine);
 * engine.status$.subscribe((status) => render(status));
 * engine.start();
 * await engine.syncNow();
 * await engine.dispose();
 */
@injectable()
export class SyncEngine {
  private readonly statusSubject = new BehaviorSubject<SyncStatus>(INITIAL_STATUS);
  /** Every change of the status; replays the current one to a new subscriber. */
  readonly status$: Observable<SyncStatus> = this.statusSubject.asObservable();
  private readonly manual$ = new Subject<SyncTrigger>();
  private readonly automatic$ = new Subject<SyncTrigger>();
  private readonly localChange$ = new Subject<void>();
  private readonly onDidRunSubject = new Subject<{ trigger: SyncTrigger; result: SyncRunResult }>();
  /** Fires after every run, with what started it and what it did. */
  readonly onDidRun: Observable<{ trigger: SyncTrigger; result: SyncRunResult }> = this.onDidRunSubject.asObservable();
  private readonly runs: Subscription;
  private readonly monitor: OnlineMonitor;
  private readonly firstPages: FirstPagesReader;
  private readonly recovery: CloudRecovery;
  private readonly standIns: ProbeStandIns;
  private readonly live: LiveNudges;
  private readonly metrics: EngineMetrics;
  /** Fires when the engine found its cloud replaced or restored from an older backup, and repaired (DESIGN.md §4, Recovery). */
  readonly onDidRecover: Observable<RecoveryReport>;
  private waiters: Array<(result: SyncRunResult) => void> = [];
  private started: Subscription | undefined;
  private inFlight: Promise<unknown> = Promise.resolve();
  private stopping = false;
  private disposed: Promise<void> | undefined;

  constructor(
    @inject(LocalStore) private readonly store: LocalStore,
    @inject(RemoteStore) private readonly remote: RemoteStore,
    @inject(SyncOptions) private readonly options: SyncOptions,
    @inject(SyncHooks) private readonly hooks: SyncHooks,
    @inject(UploadStage) private readonly upload: UploadStage,
    @inject(PullStage) private readonly pull: PullStage,
    @inject(SyncMeterProvider) @optional() meterProvider?: SyncMeterProvider,
  ) {
    this.monitor = new OnlineMonitor(remote, options, (online) => this.patch({ online }));
    this.firstPages = new FirstPagesReader({ store, remote, pull, monitor: this.monitor, pageSize: options.pullPageSize });
    this.recovery = new CloudRecovery(store, remote);
    this.standIns = new ProbeStandIns(remote, this.monitor, this.recovery);
    this.onDidRecover = this.recovery.onDidRecover;
    this.live = new LiveNudges(remote, store.tenantId, { live: (live) => this.patch({ live }), nudge: () => this.automatic$.next('nudge') });
    const open = <T>(read: () => T): T | undefined => (store.database.open ? read() : undefined);
    this.metrics = new EngineMetrics(meterProvider, {
      pendingUploads: () => open(() => store.pendingUploads()),
      lastSync: () => open(() => store.lastSync()),
      now: Date.now,
    });
    this.runs = merge(this.manual$, this.automatic$)
      .pipe(
        tap((trigger) => this.live.note(trigger)),
        exhaustMapWithTrailing(() => {
          const scope = this.live.take(this.waiters.length > 0);
          // Nudges already covered by the run before; or changes made while it was starting, which went up with it.
          if (scope === undefined || (scope.trigger === 'local-change' && this.waiters.length === 0 && !this.hasUploads())) return EMPTY;
          const waiting = this.waiters;
          this.waiters = [];
          // A failure the run does not handle itself (a status listener, the app's metrics
          // exporter) is the run's error: its callers get an answer, and the runs go on.
          const run = this.runOnce(scope)
            .catch((failure: unknown) => this.failedRun(failure))
            .then((result) => {
              for (const resolve of waiting) resolve(result);
              return result;
            });
          this.inFlight = run;
          return from(run);
        }, strongerTrigger),
      )
      .subscribe();
    this.refreshStatus();
  }

  /** The current status, with the queue counts read afresh (writes from any connection show at once). */
  get status(): SyncStatus {
    this.refreshStatus();
    return this.statusSubject.value;
  }

  /**
   * Starts the automatic triggers: the interval, local changes (at once), probing while
   * offline, and the live channel (`status.live`) when the remote has one. Idempotent.
   */
  start(): void {
    if (this.started || this.stopping) return;
    const subscription = syncTriggers(
      { manual$: new Subject<never>(), localChange$: this.localChange$, online$: this.monitor.online$ },
      { coalesceMs: this.options.debounceMs, intervalMs: this.options.intervalSeconds * 1000 },
    ).subscribe((trigger) => this.automatic$.next(trigger));
    subscription.add(this.monitor.start());
    subscription.add(this.watchLocalChanges());
    subscription.add(this.live.start());
    this.started = subscription;
  }

  /**
   * Runs a sync now, or — if one is running — waits for it and runs once more, so every
   * change made before the call is covered. Resolves with what the run did.
   */
  syncNow(): Promise<SyncRunResult> {
    if (this.stopping) return Promise.reject(new Error('the sync engine is disposed'));
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      this.manual$.next('manual');
    });
  }

  /** Asks the cloud whether it answers (updates `status.online`); no other call is made. */
  async probe(): Promise<boolean> {
    const health = await this.monitor.probe();
    this.refreshStatus();
    return health.online;
  }

  /** Tells the engine a local change happened (writes through the store are noticed by themselves). */
  notifyLocalChange(): void {
    this.localChange$.next();
    this.refreshStatus();
  }

  /**
   * Compares the device with the cloud by hash ranges (every synced table, or `table`) in
   * the next run, and repairs both ways: what the cloud lacks or holds older goes up
   * again, what the device lacks is pulled; nothing is deleted. Resolves with what each
   * table's comparison found once that run has made it.
   */
  reconcile(options: ReconcileOptions = {}): Promise<ReconcileResult> {
    if (this.stopping) return Promise.reject(new Error('the sync engine is disposed'));
    const result = this.recovery.request(options);
    this.manual$.next('manual');
    return result;
  }

  listConflicts(): ConflictRecord[] {
    return this.store.records.listConflicts();
  }

  /**
   * Settles conflicts from the inbox: `local` keeps the device's row (uploaded over the
   * cloud's), `remote` takes the cloud's, `merged` writes the given row as a new change.
   * Returns how many were settled; an unknown id is an error naming it.
   */
  resolveConflicts(choices: readonly ConflictChoice[]): number {
    const settled = settleConflicts(this.store, choices);
    this.notifyLocalChange();
    return settled;
  }

  /** Pulled rows set aside because the device could not take them, oldest first, each with the row as it came (cut at 64 KiB). */
  listQuarantined(): QuarantinedRow[] {
    return this.store.listQuarantined();
  }

  listPendingDeletes(): PendingDelete[] {
    return this.store.listPendingDeletes();
  }

  /** Releases held local deletes (by id, or all) for upload as tombstones. */
  confirmDeletes(ids: readonly string[] | 'all'): number {
    const confirmed = this.store.confirmDeletes(ids);
    if (confirmed > 0) this.notifyLocalChange();
    return confirmed;
  }

  /**
   * Stops the triggers, leaves the live channel (closing its socket), lets the batch in
   * flight finish, and completes `status$`. Idempotent; does not close the store.
   */
  dispose(): Promise<void> {
    this.disposed ??= (async () => {
      this.stopping = true;
      this.started?.unsubscribe();
      await Promise.all([this.live.close(), this.inFlight.catch(() => undefined)]);
      this.runs.unsubscribe();
      this.metrics.dispose();
      this.monitor.dispose();
      this.recovery.dispose();
      for (const resolve of this.waiters) resolve(nothingDone(0, 'the sync engine was disposed'));
      this.waiters = [];
      this.statusSubject.complete();
      this.onDidRunSubject.complete();
    })();
    return this.disposed;
  }

  private async runOnce(scope: RunScope): Promise<SyncRunResult> {
    const { trigger } = scope;
    const started = Date.now();
    if (this.stopping) return nothingDone(0, 'the sync engine was disposed');
    this.patch({ isSyncing: true, progress: null });
    const counts: StageCounts = { uploaded: 0, downloaded: 0, conflicts: 0, rejected: 0, quarantined: 0 };
    let error: string | null = null;
    let warning: string | undefined;
    let offline = false;
    try {
      // A cloud not as the first push expected was written nothing: the run starts again, probing.
      ({ error, warning, offline } = await this.attempt(scope, counts, true).catch((failure: unknown) => {
        if (!(failure instanceof CloudNotAsExpectedError)) throw failure;
        if (failure.reason === 'unchecked') this.standIns.unchecked();
        return this.attempt(scope, counts, false);
      }));
    } catch (failure) {
      error = describe(failure);
      if (failure instanceof RemoteError && failure.retryable) this.monitor.markOffline();
    }
    if (error !== null) this.recovery.failPending(error);
    const result: SyncRunResult = { ...counts, durationMs: Date.now() - started, offline, error };
    // A token of another installation does not fail the run, but it must show.
    this.patch({ isSyncing: false, progress: null, lastError: error ?? warning ?? null });
    this.refreshStatus();
    this.metrics.recordRun(trigger, result);
    this.onDidRunSubject.next({ trigger, result });
    return result;
  }

  /**
   * One go at a run, from its first request to the pull: `mayExpect` lets its pushes go
   * without a probe (see the class). Rejects with a `CloudNotAsExpectedError` when the
   * cloud refused such a push; nothing of that push was written.
   */
  private async attempt(scope: RunScope, counts: StageCounts, mayExpect: boolean): Promise<AttemptEnd> {
    const { trigger } = scope;
    let error: string | null = null;
    let offline = false;
    // A run with nothing to upload asks for everything in one request: its answer is the
    // probe, and carries each table's first page. Without it (an older cloud or remote), a
    // run for nudges goes on the last probe if it is recent: the nudge itself just came
    // from the cloud, and its pull would fail if the cloud did not answer.
    // Read together: a read transaction each costs more than the reads (file locks).
    const { quiet, cursors } = this.store.snapshot(() => {
      const nothingToSend = !this.hasUploads() && !this.recovery.hasRequests;
      return { quiet: nothingToSend, cursors: nothingToSend ? this.firstPages.cursors(scope) : undefined };
    });
    const many = cursors === undefined ? undefined : await this.firstPages.read(cursors);
    const light = many === undefined && quiet && trigger === 'nudge';
    const recent = light ? this.monitor.recent(PROBE_REUSE_MS) : undefined;
    // With changes to send to a cloud the engine has heard from, the first push is the
    // probe: it carries what the device expects, and the cloud checks it before writing.
    const expect = mayExpect && !quiet && recent === undefined ? this.standIns.take() : undefined;
    const health = many?.health ?? recent ?? expect?.seen ?? (await this.monitor.probe());
    const token = checkTokenIdentity(health, { tenantId: this.store.tenantId, deviceId: this.store.deviceId });
    if (!health.online) {
      offline = true;
      error = `offline: ${health.error?.message ?? 'the cloud did not answer'}`;
    } else if (health.protocol !== undefined && health.protocol !== SYNC_PROTOCOL_VERSION) {
      // Another wire format: every call would fail, or worse, be misread. Changes stay queued.
      error =
        `the cloud's schema speaks sync protocol ${health.protocol} and this engine ${SYNC_PROTOCOL_VERSION}: ` +
        'apply the migration of this version (compileServerSchema, `equinox cloud sql`) to the cloud, then sync again';
    } else if (health.error !== undefined && isMissingFunction(health.error)) {
      // No equinox schema (eq_health is missing): every call would fail the same way; its message names the fix.
      error = health.error.message;
    } else if (token.refusal !== undefined) {
      // Another tenant's token: its pushes would be refused row by row and its pulls show someone else's view.
      error = token.refusal;
    } else {
      // While uploading, the queue's depth moves with the progress: status$ never shows one without the other.
      const depth = new QueueDepth(() => this.store.pendingUploads(), Date.now);
      const progress = (step: SyncProgress): void =>
        this.patch(step.phase === 'upload' ? { progress: step, pendingUploads: depth.at(step.done) } : { progress: step });
      const context: RunContext = { now: Date.now, progress, stopping: () => this.stopping, echoes: new PushEchoes() };
      // A plugin's gate pauses before anything is sent; the cloud's (a push refused by a gate) during the stage.
      // A cloud replaced or restored under the device is repaired first, so the upload sends what it lost.
      // (A run that did not probe leaves that comparison to the cloud: its pushes carry it.)
      const recovered = recent === undefined && expect === undefined ? await this.recovery.beforeUpload(health) : undefined;
      let paused: string | undefined;
      // The plugins' gates guard uploads: a run with nothing to send asks them only while
      // uploads are paused, so that the end of a pause shows at once (a gate may ask the cloud).
      const lastPause = this.store.uploadsPaused();
      if (recent === undefined && (!quiet || lastPause !== undefined || this.hasUploads())) {
        const held = await this.upload.pauseReason(lastPause);
        // A run that found nothing to upload reads the queue again only if a change came meanwhile.
        const uploading = held === undefined && (!quiet || this.hasUploads());
        let refused: string | undefined;
        try {
          refused = uploading ? await this.upload.run(context, counts, expect?.marks) : undefined;
        } catch (failure) {
          // Without a probe, a transport failure of the first pushes is how the run learns the cloud does not answer.
          if (expect === undefined || !(failure instanceof RemoteError) || !failure.retryable) throw failure;
          this.monitor.markOffline();
          return { error: `offline: ${failure.message}`, warning: token.warning, offline: true };
        }
        paused = held ?? (refused === undefined ? undefined : `uploads paused: ${refused}`);
        this.store.recordUploadsPaused(paused);
      } else {
        // Nothing to upload, so no gate to ask: the pause last decided stands.
        paused = lastPause;
      }
      this.live.pulling();
      // After the upload, the pull's first pages come in one request too, the pushes' echoes with them.
      const uploaded = many === undefined && recovered === undefined ? await this.firstPages.afterUpload(scope, context) : undefined;
      // A recovery forgot every table's versions: a run for nudges pulls all of them too,
      // and pages read before it are dropped (the pull stage would not take them anyway:
      // they follow cursors the recovery put back).
      const pulled = await this.pull.run(context, counts, recovered === undefined ? scope.tables : undefined, recovered === undefined ? (many?.pages ?? uploaded) : undefined);
      this.live.afterPull(scope, pulled.heldBack);
      if (counts.uploaded + counts.downloaded + counts.conflicts > 0) await this.recovery.afterRun(this.options.healthTimeoutMs, pulled.marks);
      error = paused ?? null;
      if (paused === undefined && !this.stopping) this.store.recordLastSync(Date.now());
    }
    return { error, warning: token.warning, offline };
  }

  /**
   * Reports the store's signal as local changes: its own writes at once, other
   * connections' within 250 ms. Pulls and the runs' bookkeeping do not signal, so an
   * upload is not followed by an empty run.
   */
  private watchLocalChanges(): Subscription {
    return this.store.localChanges$.subscribe(() => this.notifyLocalChange());
  }

  private hasUploads(): boolean {
    return this.store.database.open && this.store.pendingUploads() > 0;
  }

  private refreshStatus(): void {
    if (!this.store.database.open || this.statusSubject.closed) return;
    // One read transaction: the counts agree with one another, and cost one lock.
    this.patch(
      this.store.snapshot(() => ({
        lastSync: this.store.lastSync() ?? null,
        pendingUploads: this.store.pendingUploads(),
        pendingDownloads: this.store.records.countState('PendingDownload'),
        conflicts: this.store.records.countState('Conflict'),
        failed: this.store.records.failed(100).map(({ table, id, reason, attempts, nextAttemptAt }) => ({ table, id, reason, attempts, nextAttemptAt })),
        uploadsPaused: this.store.uploadsPaused() ?? null,
        quarantined: this.store.listQuarantined(100).map(({ table, id, reason, receivedAt }) => ({ table, id, reason, receivedAt })),
      })),
    );
  }

  /** The result of a run that threw past its own handling; the status stops saying it syncs. */
  private failedRun(failure: unknown): SyncRunResult {
    const error = `the run failed: ${describe(failure)}`;
    try {
      this.patch({ isSyncing: false, progress: null, lastError: error });
    } catch {
      // A status listener that throws again: the result still goes to the callers.
    }
    return nothingDone(0, error);
  }

  private patch(change: Partial<SyncStatus>): void {
    if (this.statusSubject.closed) return;
    this.statusSubject.next({ ...this.statusSubject.value, ...change });
  }
}

function describe(failure: unknown): string {
  return failure instanceof Error ? failure.message : String(failure);
}
