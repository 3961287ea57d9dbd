import { Subject, type Observable } from 'rxjs';
import { SYNC_PROTOCOL_VERSION, type CloudMarks, type PushExpectation, type RemoteHealth, type RemoteStore } from '../remote/index.js';
import type { CloudMark, LocalStore, RecoveryLedger } from '../store/index.js';
import { detectCloudChange, nextMark, type CloudChange } from './cloud-change.js';
import { reconcileTable, type TableReconcileResult } from './table-reconcile.js';

/**
 * What `reconcile` compares: every synced table, or one.
 *
 * @example
 * await engine.reconcile({ table: 'clients' });
 */
export interface ReconcileOptions {
  readonly table?: string;
}

/**
 * What `reconcile` found and repaired, table by table.
 *
 * @example
 * const { tables }: ReconcileResult = await engine.reconcile();
 * for (const { table, reuploaded, missingLocally } of tables) console.log(table, reuploaded, missingLocally);
 */
export interface ReconcileResult {
  readonly tables: readonly TableReconcileResult[];
}

/**
 * A recovery the engine made by itself: why (see {@link CloudChange}) and what it did.
 *
 * @example
 * engine.onDidRecover.subscribe(({ cause, tables }) => log(`cloud ${cause}: ${tables.length} tables compared`));
 */
export interface RecoveryReport extends ReconcileResult {
  readonly cause: CloudChange;
}

interface ReconcileRequest {
  readonly options: ReconcileOptions;
  readonly resolve: (result: ReconcileResult) => void;
  readonly reject: (error: Error) => void;
}

/**
 * Keeps a device whole when its cloud is lost or restored (DESIGN.md §4, Recovery). At
 * the start of each run, once the cloud answered, it compares the cloud's epoch,
 * high-water mark and next transaction id with what the device recorded; if the cloud
 * was replaced, rewound or moved, it compares every table by hash ranges and repairs
 * (see `reconcileTable`), every pull cursor back at the start, before the run uploads — so what
 * the cloud lost goes up again, then the pull brings the rest. It also serves
 * `reconcile()` requests at that point, so a comparison never overlaps a run.
 *
 * The mark it keeps is taken from a probe after each run that moved rows, so it covers
 * every version the run saw; a cloud restored to a point before that run is noticed. A
 * run that pushes without probing hands the same comparison to the cloud
 * ({@link CloudRecovery.expectation}); refused, it probes and comes here.
 *
 * @example
 * const recovery = new CloudRecovery(store, remote);
 * await recovery.beforeUpload(health); // in a run, after the probe
 * await recovery.afterRun(2_000);      // after the pull, when rows moved
 */
export class CloudRecovery {
  private readonly ledger: RecoveryLedger;
  private requests: ReconcileRequest[] = [];
  private readonly recovered = new Subject<RecoveryReport>();
  /** Each recovery the engine made by itself. */
  readonly onDidRecover: Observable<RecoveryReport> = this.recovered.asObservable();

  constructor(
    private readonly store: LocalStore,
    private readonly remote: RemoteStore,
  ) {
    this.ledger = store.records.ledger;
  }

  /** Queues a comparison for the next run; resolves once that run has made it. */
  request(options: ReconcileOptions): Promise<ReconcileResult> {
    if (options.table !== undefined && !this.store.tableDefinitions().some((table) => table.name === options.table)) {
      return Promise.reject(new Error(`table "${options.table}" is not a synced table of this device`));
    }
    return new Promise((resolve, reject) => this.requests.push({ options, resolve, reject }));
  }

  /** Recovers if the cloud changed under the device, then serves queued `reconcile()` requests. */
  async beforeUpload(health: RemoteHealth): Promise<RecoveryReport | undefined> {
    const { seen, cursorTxid } = this.store.snapshot(() => ({ seen: this.ledger.readMark(), cursorTxid: this.ledger.cursorTxid() }));
    const cause = detectCloudChange(seen, health, cursorTxid);
    let report: RecoveryReport | undefined;
    if (cause !== undefined) report = { cause, tables: await this.compare(undefined, true, health) };
    // Written only once the repairs are made: a run cut short recovers again, harmlessly.
    this.keepMark(seen, nextMark(seen, health, cause !== undefined));
    if (report !== undefined) this.recovered.next(report);
    for (const request of this.requests.splice(0)) {
      try {
        request.resolve({ tables: await this.compare(request.options.table, false, health) });
      } catch (error) {
        request.reject(error instanceof Error ? error : new Error(String(error)));
      }
    }
    return report;
  }

  /**
   * What the device expects of the cloud when its run pushes without probing first: the
   * mark it recorded and its pull cursors' largest txid, which the cloud checks before it
   * writes (`PushExpectation`) — the comparison {@link CloudRecovery.beforeUpload} makes
   * of a probe's answer, made by the cloud instead. `undefined` when there is no mark with
   * an epoch yet (a first sync, a cloud that names none) or a `reconcile()` request waits:
   * then the run probes.
   */
  expectation(): PushExpectation | undefined {
    if (this.requests.length > 0) return undefined;
    const { seen, cursorTxid } = this.store.snapshot(() => ({ seen: this.ledger.readMark(), cursorTxid: this.ledger.cursorTxid() }));
    if (seen.epoch === undefined) return undefined;
    return {
      protocol: SYNC_PROTOCOL_VERSION,
      tenant: this.store.tenantId,
      epoch: seen.epoch,
      ...(seen.highWater === undefined ? {} : { highWater: seen.highWater }),
      ...(cursorTxid === undefined ? {} : { cursorTxid: String(cursorTxid) }),
    };
  }

  /** Whether `reconcile()` requests wait for the next run. */
  get hasRequests(): boolean {
    return this.requests.length > 0;
  }

  /**
   * Records the cloud's high-water mark after a run that moved rows, so it covers their
   * versions: the marks the run's last pulled page carried, or else a probe's.
   */
  async afterRun(timeoutMs: number, marks?: CloudMarks): Promise<void> {
    const health: RemoteHealth = marks === undefined ? await this.remote.health(timeoutMs) : { online: true, latencyMs: 0, ...marks };
    if (!health.online || health.error !== undefined) return;
    const seen = this.ledger.readMark();
    // Changed during the run: the next run recovers, from the mark as it was.
    if (detectCloudChange(seen, health, this.ledger.cursorTxid()) !== undefined) return;
    this.keepMark(seen, nextMark(seen, health, false));
  }

  /** Fails the requests no run has served (the cloud was not reached, or the engine stopped). */
  failPending(reason: string): void {
    for (const request of this.requests.splice(0)) request.reject(new Error(`reconcile did not run: ${reason}`));
  }

  dispose(): void {
    this.failPending('the sync engine was disposed');
    this.recovered.complete();
  }

  /** Writes the mark only when it moved: most runs find the cloud where it was. */
  private keepMark(seen: CloudMark, next: CloudMark): void {
    if (next.epoch !== seen.epoch || next.highWater !== seen.highWater) this.ledger.writeMark(next);
  }

  private async compare(only: string | undefined, recovery: boolean, health: RemoteHealth): Promise<TableReconcileResult[]> {
    const results: TableReconcileResult[] = [];
    for (const table of this.store.tableDefinitions()) {
      if (only !== undefined && table.name !== only) continue;
      // The cloud compares a scoped table on the rows of the device's claim: so does the device.
      const scope = table.pullScope === undefined ? undefined : { column: table.pullScope.column, value: health.scopes?.[table.name] ?? null };
      results.push(await reconcileTable({ remote: this.remote, ledger: this.ledger, table, deviceId: this.store.deviceId, recovery, ...(scope === undefined ? {} : { scope }) }));
    }
    return results;
  }
}
