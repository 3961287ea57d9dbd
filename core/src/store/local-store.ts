import type { Database } from 'better-sqlite3';
import type { Observable } from 'rxjs';
import { HybridLogicalClock } from '../clock/index.js';
import { assertDistinctTables, type PluginDefinition, type Row, type TableDefinition } from '../declarations/index.js';
import { ChangeSignal } from './change-signal.js';
import { LocalDirectory } from './local-directory.js';
import { LocalWriteGuard } from './local-write-guard.js';
import { openDatabase, unusableDatabase } from './open-database.js';
import type { CaptureLog } from './capture-log.js';
import type { OutboxQueue } from './outbox-queue.js';
import type { Quarantine, QuarantinedRow } from './quarantine.js';
import { RemoteApplier, type ApplyResult } from './remote-apply.js';
import { ScopedStore } from './scoped-store.js';
import { installSchema } from './store-schema.js';
import { META_KEYS, type StoreMeta } from './store-meta.js';
import type { OutboxAck, OutboxBatchOptions, OutboxEntry, PendingDelete, SyncState } from './sync-state.js';
import { StoreError } from './store-error.js';
import { SyncRecords } from './sync-records.js';
import { openSyncTables } from './sync-tables.js';
import { TableDirectory } from './table-directory.js';

/**
 * Options of {@link LocalStore.open}.
 *
 * @example
 * const options: LocalStoreOptions = { path: 'device.db', plugins: [clients], tenantId: 'tenant-a' };
 */
export interface LocalStoreOptions {
  /** The database file (created when missing). */
  readonly path: string;
  /** Validated plugins (see `definePlugin`); their tables are created or migrated forward. */
  readonly plugins: readonly PluginDefinition[];
  readonly tenantId: string;
  /** Defaults to the id stored in the file, or a new UUIDv7 on first open. */
  readonly deviceId?: string;
  /** Wall clock in ms for the hybrid logical clock; injectable for tests. */
  readonly now?: () => number;
  /** How long a write waits for another connection's lock. Defaults to 5000 ms. */
  readonly busyTimeoutMs?: number;
}

/**
 * The device's database: the plugins' tables, the change-capture triggers and the sync
 * metadata (DESIGN.md §3). Plugins write through {@link LocalStore.forPlugin}; host apps
 * may also write with plain SQL on their own connection (see core/README.md). The
 * methods below are the queue stage's API for the sync pipeline.
 *
 * @example
 * const store = LocalStore.open({ path: 'device.db', plugins: [clients], tenantId: 'tenant-a' });
 * store.forPlugin('clients').insert('clients', { name: 'Ada' });
 * const batch = store.readOutboxBatch({ limit: 500 });
 * store.ackOutbox(batch.map((entry) => entry.seq));
 * store.close();
 */
export class LocalStore {
  readonly clock: HybridLogicalClock;
  private readonly tables: TableDirectory;
  private readonly queue: OutboxQueue;
  private readonly applier: RemoteApplier;
  private readonly quarantine: Quarantine;
  private readonly meta: StoreMeta;
  private readonly capture: CaptureLog;
  private readonly scoped = new Map<string, ScopedStore>();
  /** The plugins' local tables and views, and the flag that lets the scoped stores write the tables. */
  private readonly locals: LocalDirectory;
  private readonly guard: LocalWriteGuard;
  /** Base versions, the conflict inbox and waiting entries: the engine's bookkeeping. */
  readonly records: SyncRecords;
  private readonly changes: ChangeSignal;
  /** One transaction around any function, made once: making one per call cost as much as the reads it saves. */
  private readonly together: ReturnType<Database['transaction']>;

  private constructor(
    /** The underlying connection, for the pipeline's own reads and transactions. */
    readonly database: Database,
    readonly tenantId: string,
    readonly deviceId: string,
    private readonly plugins: readonly PluginDefinition[],
    tables: TableDirectory,
    now: (() => number) | undefined,
  ) {
    const owners = openSyncTables(database, tables);
    this.meta = owners.meta;
    this.capture = owners.capture;
    this.clock = new HybridLogicalClock({ deviceId, now, storage: this.meta.hlcStorage() });
    this.tables = tables;
    this.queue = owners.queue;
    this.quarantine = owners.quarantine;
    this.applier = new RemoteApplier(database, tables, this.clock, tenantId, owners);
    this.records = new SyncRecords(database, tables, owners);
    this.locals = new LocalDirectory(plugins);
    this.guard = new LocalWriteGuard(database);
    this.changes = new ChangeSignal(database, owners.capture);
    this.together = database.transaction((fn: () => unknown) => fn());
  }

  /**
   * Fires once a change to a synced table is committed — by this store's writes at once,
   * by other connections' within 250 ms — and never for pulls or the engine's bookkeeping
   * (see {@link ChangeSignal}). The engine starts a run on it.
   *
   * @example
   * store.localChanges$.subscribe(() => console.log('a change waits for upload'));
   */
  get localChanges$(): Observable<void> {
    return this.changes.changes$;
  }

  /** Opens the file, creating or migrating every declared table, local table and view in one transaction. */
  static open(options: LocalStoreOptions): LocalStore {
    const plugins = assertDistinctTables(options.plugins);
    let db: Database;
    try {
      db = openDatabase(options.path, options.busyTimeoutMs ?? 5000);
    } catch (error) {
      throw unusableDatabase(options.path, error);
    }
    try {
      const { identity, contexts } = installSchema(db, plugins, options);
      return new LocalStore(db, identity.tenantId, identity.deviceId, plugins, new TableDirectory(db, contexts), options.now);
    } catch (error) {
      db.close();
      throw unusableDatabase(options.path, error);
    }
  }

  /** Every declared table. */
  tableDefinitions(): readonly TableDefinition[] {
    return this.tables.all().map((context) => context.definition);
  }

  /** The store scoped to one plugin's tables. */
  forPlugin(name: string): ScopedStore {
    if (!this.plugins.some((plugin) => plugin.name === name)) throw new StoreError(`no plugin "${name}" is loaded`);
    let scoped = this.scoped.get(name);
    if (scoped === undefined) {
      scoped = new ScopedStore(name, {
        db: this.database,
        tables: this.tables,
        locals: this.locals,
        guard: this.guard,
        clock: this.clock,
        tenantId: this.tenantId,
        changes: this.changes,
      });
      this.scoped.set(name, scoped);
    }
    return scoped;
  }

  /** Runs `fn` in one (immediate) transaction: many writes, one commit. */
  transaction<T>(fn: () => T): T {
    try {
      return this.database.transaction(fn).immediate();
    } finally {
      this.changes.wrote();
    }
  }

  /**
   * Runs `fn`'s reads in one read transaction: they see one state of the file, and take
   * its lock once instead of once per statement (most of a small read's cost in WAL mode).
   * Changes captured since the last read are folded into the queue just before (a read
   * transaction cannot write), so its counts include every committed change — unless
   * another connection holds the write lock past the busy timeout: then they show the
   * queue as last folded rather than fail.
   *
   * @example
   * const { pending, conflicts } = store.snapshot(() => ({ pending: store.pendingUploads(), conflicts: store.records.countState('Conflict') }));
   */
  snapshot<T>(fn: () => T): T {
    // A read transaction cannot write: captured changes are folded into the queue first.
    this.capture.fold();
    return this.capture.whileReading(() => this.together.deferred(fn) as T);
  }

  /** Queued changes ready to upload or backing off (held deletes excluded). */
  pendingUploads(): number {
    return this.queue.pendingUploads();
  }

  /**
   * Changes waiting to upload per table (held deletes and rows in conflict left out), for
   * views of the queue.
   *
   * @example
   * store.pendingUploadsByTable().get('clients'); // 3
   */
  pendingUploadsByTable(): Map<string, number> {
    return this.queue.pendingByTable();
  }

  /** A record's sync state, or `undefined` for an unknown record. */
  rowState(table: string, id: string): SyncState | undefined {
    return this.queue.rowState(table, id);
  }

  /** The next entries to upload, in change order, each with its row as it is now. */
  readOutboxBatch(options?: OutboxBatchOptions): OutboxEntry[] {
    return this.queue.readBatch(options);
  }

  /** Removes acknowledged entries (by seq) and marks their rows Synced; returns how many. */
  ackOutbox(acks: readonly (number | OutboxAck)[]): number {
    return this.queue.ack(acks);
  }

  /** Records a failed upload of entry `seq`; it is retried from `nextAttemptAt` (ms). */
  failOutbox(seq: number, error: string, nextAttemptAt: number): boolean {
    return this.queue.fail(seq, error, nextAttemptAt);
  }

  /** Local deletes held until the user confirms them. */
  listPendingDeletes(): PendingDelete[] {
    return this.queue.listPendingDeletes();
  }

  /** Releases held deletes (by row id, or `'all'`) for upload; returns how many. */
  confirmDeletes(ids: readonly string[] | 'all'): number {
    return this.queue.confirmDeletes(ids);
  }

  /**
   * Sets aside the pulled rows the device cannot decode (not an object, no id, a value of
   * the wrong type or outside its column's limits) and returns the others. Run it inside
   * the page's transaction, before comparing the rows with local ones.
   */
  screenPulled(table: string, rows: readonly unknown[], receivedAt: number = Date.now()): Row[] {
    return this.applier.screen(table, rows, receivedAt);
  }

  /**
   * Writes pulled rows as Synced and advances the table's cursor, triggers muted, one
   * transaction. A row that cannot be decoded or stored is quarantined; the rest are written.
   */
  applyRemote(table: string, rows: readonly Row[], cursor?: unknown, receivedAt?: number): ApplyResult {
    return this.applier.apply(table, rows, cursor, receivedAt);
  }

  /** Pulled rows set aside because the device could not take them, in arrival order (at most `limit`). */
  listQuarantined(limit?: number): QuarantinedRow[] {
    return this.quarantine.list(limit);
  }

  /** How many pulled rows are set aside. */
  quarantinedCount(): number {
    return this.quarantine.count();
  }

  /** The pull cursor `applyRemote` last stored for `table`. */
  readCursor(table: string): unknown {
    return this.applier.readCursor(table);
  }

  /** Runs `fn` in one transaction with the change-capture triggers muted (engine use only). */
  runMuted<T>(fn: () => T): T {
    return this.applier.runMuted(fn);
  }

  /** When the last complete sync run ended (ms), if ever. */
  lastSync(): number | undefined {
    const value = this.meta.read(META_KEYS.lastSync);
    return value === undefined ? undefined : Number(value);
  }

  recordLastSync(at: number): void {
    this.meta.write(META_KEYS.lastSync, String(at));
  }

  /** Why the last run that tried to upload was paused, or `undefined` when its uploads went on. */
  uploadsPaused(): string | undefined {
    return this.meta.read(META_KEYS.uploadsPaused) || undefined;
  }

  /** Records why uploads are paused (kept across restarts, for `equinox status`), or that they are not. */
  recordUploadsPaused(reason: string | undefined): void {
    if ((this.uploadsPaused() ?? '') !== (reason ?? '')) this.meta.write(META_KEYS.uploadsPaused, reason ?? '');
  }

  close(): void {
    this.database.close();
  }
}

