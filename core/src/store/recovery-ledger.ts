import type { Database } from 'better-sqlite3';
import { quoteIdentifier } from '../declarations/index.js';
import type { CaptureLog } from './capture-log.js';
import type { OutboxQueue } from './outbox-queue.js';
import type { PullCursors } from './pull-cursors.js';
import { decodeTombstone } from './row-codec.js';
import type { RowStates } from './row-states.js';
import { META_KEYS, type StoreMeta } from './store-meta.js';
import type { SyncState } from './sync-state.js';

/**
 * One local row as a comparison with the cloud sees it, with its sync bookkeeping.
 *
 * @example
 * const row: LedgerRow = { id: 'a1', updatedAt: '1718000000000-000000-till', deleted: false, state: 'Synced', pending: false };
 */
export interface LedgerRow {
  readonly id: string;
  readonly updatedAt: string;
  readonly deleted: boolean;
  /** `undefined`: the row has no sync record (it counts as Synced). */
  readonly state: SyncState | undefined;
  /** A change of it is queued. */
  readonly pending: boolean;
}

/**
 * What the device last saw of the cloud: its epoch and high-water mark (see `RemoteHealth`).
 *
 * @example
 * const mark: CloudMark = { epoch: '6f1c…', highWater: '812' };
 */
export interface CloudMark {
  readonly epoch?: string;
  readonly highWater?: string;
}

/** A repair the ledger was told to make for one row, gathered while comparing, made at the end. */
type Repair =
  | { readonly kind: 'upload'; readonly id: string; readonly updatedAt: string; readonly deleted: boolean; readonly base: number | string | null; readonly update: boolean }
  | { readonly kind: 'pull'; readonly id: string };

/**
 * The rows of a scoped table a comparison covers: those whose `column` holds `value`,
 * the value of the device's claim the cloud reported (`null`: the token has none).
 *
 * @example
 * ledger.rows('receipts', null, null, { column: 'till_id', value: 'till-1' });
 */
export interface LedgerScope {
  readonly column: string;
  readonly value: string | null;
}

/** Rows read per page by `rows()`. */
const LEDGER_PAGE_ROWS = 2_000;

/** Where the gathered repairs wait: a temporary table (this connection's alone), owned here. */
const REPAIRS = 'temp._eq_recovery';

/**
 * The device's side of recovery and `reconcile` (DESIGN.md §4, Recovery): reads its rows
 * by id range in byte-wise id order (SQLite's BINARY collation, as the cloud's
 * `COLLATE "C"`), gathers repairs in a temporary table while a comparison runs (a table
 * of any size, in bounded memory), then queues the uploads in the rows' clock order — so
 * the links of an append-only chain go up in the order they were made — and points pulls
 * back at rows the cloud holds newer. It never deletes a row. It owns only its temporary
 * table: the queue, the row states, the cursors and the meta table are written through
 * their owners.
 *
 * @example
 * const ledger = store.records.ledger;
 * ledger.begin('clients');
 * for (const row of ledger.rows('clients', null, null)) ledger.markUpload(row, { base: null, update: false });
 * const { queued, pulls } = ledger.commit('clients', { resetCursor: false });
 */
export class RecoveryLedger {
  private readonly queue: OutboxQueue;
  private readonly rowStates: RowStates;
  private readonly cursors: PullCursors;
  private readonly meta: StoreMeta;
  private readonly capture: CaptureLog;

  constructor(
    private readonly db: Database,
    owners: { readonly queue: OutboxQueue; readonly rows: RowStates; readonly cursors: PullCursors; readonly meta: StoreMeta; readonly capture: CaptureLog },
  ) {
    this.capture = owners.capture;
    this.queue = owners.queue;
    this.rowStates = owners.rows;
    this.cursors = owners.cursors;
    this.meta = owners.meta;
  }

  /**
   * The table's rows with `lo <= id < hi` (`null`: open end), in byte-wise id order. Read
   * in pages, so the caller may write (note repairs) between rows and a large range never
   * sits in memory whole.
   */
  *rows(table: string, lo: string | null, hi: string | null, scope?: LedgerScope): Generator<LedgerRow> {
    const tableId = this.tableId(table);
    // The records' states are read directly below: bring them up to the captured writes.
    this.capture.fold();
    // A scoped table is compared on the rows the cloud shows this device: those of its scope value (none without one).
    const inScope = scope === undefined ? '' : `AND t.${quoteIdentifier(scope.column)} IS @scopeValue AND @scopeValue IS NOT NULL`;
    const page = this.db
      .prepare(
        `SELECT t.id, coalesce(t.updated_at, ''), t.deleted, s.state, s.pending_seq IS NOT NULL
           FROM ${quoteIdentifier(table)} AS t LEFT JOIN _eq_row_state AS s ON s.table_id = @tableId AND s.row_id = t.id
          WHERE (@after IS NULL OR t.id > @after) AND (@lo IS NULL OR t.id >= @lo) AND (@hi IS NULL OR t.id < @hi) ${inScope}
          ORDER BY t.id LIMIT ${LEDGER_PAGE_ROWS}`,
      )
      .raw();
    let after: string | null = null;
    for (;;) {
      const parameters = { tableId, lo, hi, after, ...(scope === undefined ? {} : { scopeValue: scope.value }) };
      const rows = page.all(parameters) as [string, string, number, SyncState | null, number][];
      for (const [id, updatedAt, deleted, state, pending] of rows) {
        yield { id, updatedAt, deleted: decodeTombstone(deleted), state: state ?? undefined, pending: pending === 1 };
      }
      if (rows.length < LEDGER_PAGE_ROWS) return;
      after = rows[rows.length - 1]![0];
    }
  }

  /** Starts gathering repairs for `table` (drops any left from an interrupted run). */
  begin(table: string): void {
    this.tableId(table);
    this.db.exec(`CREATE TEMP TABLE IF NOT EXISTS _eq_recovery (
      row_id TEXT PRIMARY KEY, kind TEXT NOT NULL, updated_at TEXT, op TEXT, base TEXT) WITHOUT ROWID`);
    this.db.exec(`DELETE FROM ${REPAIRS}`);
  }

  /** Notes a row to upload again, over the cloud's version `base` (`null`: the cloud lacks it). */
  markUpload(row: Pick<LedgerRow, 'id' | 'updatedAt' | 'deleted'>, options: { base: number | string | null; update: boolean }): void {
    this.note({ kind: 'upload', id: row.id, updatedAt: row.updatedAt, deleted: row.deleted, base: options.base, update: options.update });
  }

  /** Notes a row the cloud holds newer: the next pull must not take it for one the device already has. */
  markPull(id: string): void {
    this.note({ kind: 'pull', id });
  }

  /**
   * Makes the gathered repairs in one transaction: uploads queued in clock order (rows
   * changed meanwhile are queued already and left alone), pulled versions forgotten for
   * the rows the cloud holds newer, and, with `resetCursor` or any such row, the table's
   * pull cursor reset so the next pull reads it from the start. `forgetVersions` forgets
   * the cloud version of every Synced row of the table first (the cloud was replaced or
   * rewound: its versions no longer mean what the device recorded).
   */
  commit(table: string, options: { resetCursor: boolean; forgetVersions?: boolean }): { queued: number; pulls: number } {
    const tableId = this.tableId(table);
    return this.db.transaction(() => {
      if (options.forgetVersions) this.rowStates.forgetSyncedVersions(tableId);
      const still = `NOT EXISTS (SELECT 1 FROM _eq_row_state AS s WHERE s.table_id = @tableId AND s.row_id = r.row_id
                                   AND (s.pending_seq IS NOT NULL OR s.state <> 'Synced'))
                     AND EXISTS (SELECT 1 FROM ${quoteIdentifier(table)} AS t WHERE t.id = r.row_id AND t.updated_at IS r.updated_at)`;
      const before = this.queue.newestSeq();
      const queued = this.queue.append(
        `SELECT @tableId, r.row_id, r.op FROM ${REPAIRS} AS r WHERE r.kind = 'upload' AND ${still} ORDER BY r.updated_at, r.row_id`,
        { tableId },
      );
      this.rowStates.pointAtQueued(tableId, before, REPAIRS);
      const pulls = this.rowStates.forgetVersionsOf(tableId, `SELECT row_id FROM ${REPAIRS} WHERE kind = 'pull'`);
      const lacking = this.db.prepare(`SELECT count(*) FROM ${REPAIRS} WHERE kind = 'pull'`).pluck().get() as number;
      if (options.resetCursor || lacking > 0) this.cursors.reset(tableId);
      this.db.exec(`DELETE FROM ${REPAIRS}`);
      return { queued, pulls };
    }).immediate();
  }

  /** The largest transaction id among the stored pull cursors, or `undefined` before any pull. */
  cursorTxid(): bigint | undefined {
    return this.cursors.largestTxid();
  }

  /** What the device last recorded of the cloud. */
  readMark(): CloudMark {
    const epoch = this.meta.read(META_KEYS.cloudEpoch) || undefined;
    const highWater = this.meta.read(META_KEYS.cloudHighWater) || undefined;
    return { ...(epoch === undefined ? {} : { epoch }), ...(highWater === undefined ? {} : { highWater }) };
  }

  /** Records what the device saw of the cloud (fields left out stay as they were). */
  writeMark(mark: CloudMark): void {
    this.db.transaction(() => {
      if (mark.epoch !== undefined) this.meta.write(META_KEYS.cloudEpoch, mark.epoch);
      if (mark.highWater !== undefined) this.meta.write(META_KEYS.cloudHighWater, mark.highWater);
    })();
  }

  private note(repair: Repair): void {
    const statement = this.db.prepare(
      `INSERT INTO ${REPAIRS} (row_id, kind, updated_at, op, base) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (row_id) DO UPDATE SET kind = excluded.kind, updated_at = excluded.updated_at, op = excluded.op, base = excluded.base`,
    );
    if (repair.kind === 'pull') statement.run(repair.id, 'pull', null, null, null);
    else {
      const op = repair.deleted ? 'delete' : repair.update ? 'update' : 'insert';
      statement.run(repair.id, 'upload', repair.updatedAt, op, repair.base === null ? null : String(repair.base));
    }
  }

  private tableId(table: string): number {
    const id = this.db.prepare(`SELECT table_id FROM _eq_tables WHERE name = ?`).pluck().get(table) as number | undefined;
    if (id === undefined) throw new Error(`table "${table}" is not a synced table of this store`);
    return id;
  }
}
