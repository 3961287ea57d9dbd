import type { Database } from 'better-sqlite3';
import type { Row } from '../declarations/index.js';
import type { CaptureLog } from './capture-log.js';
import { ACKS_SQL, encodeAcks } from './outbox-acks.js';
import type { RowStates } from './row-states.js';
import { limitClause, StatementCache } from './statement-cache.js';
import type { OutboxAck, OutboxBatchOptions, OutboxEntry, OutboxOp, PendingDelete, SyncState } from './sync-state.js';
import type { TableDirectory } from './table-directory.js';

/**
 * A queued upload that failed at least once.
 *
 * @example
 * for (const f of store.records.failed(100)) console.log(f.table, f.id, f.reason, new Date(f.nextAttemptAt));
 */
export interface FailedEntry {
  readonly seq: number;
  readonly table: string;
  readonly id: string;
  readonly reason: string;
  readonly attempts: number;
  readonly nextAttemptAt: number;
}

/**
 * An entry waiting for a later attempt, with the row it would send.
 *
 * @example
 * const next = store.records.waiting('clients', Date.now())[0]?.nextAttemptAt;
 */
export interface WaitingEntry {
  readonly seq: number;
  readonly id: string;
  readonly nextAttemptAt: number;
  readonly row: Row | undefined;
}

interface EntryRow {
  seq: number;
  place: number;
  table_id: number;
  row_id: string;
  op: OutboxOp;
  attempts: number;
  last_error: string | null;
  state: SyncState;
  server_version: number | null;
}

/** An entry is sent when it is not held (an unconfirmed delete), not backing off, of a loaded table, and its row is not in conflict. */
const READY = `o.awaiting_confirmation = 0 AND o.next_attempt_at <= @now
    AND (@table IS NULL OR o.table_id = @table) AND o.table_id IN (SELECT value FROM json_each(@tables))
    AND coalesce(s.state, '') <> 'Conflict'
    AND o.row_id NOT IN (SELECT value FROM json_each(@skip))`;

const ENTRY_COLUMNS = `o.seq, o.table_id, o.row_id, o.op, o.attempts, o.last_error,
    coalesce(s.state, 'PendingUpload') AS state, s.server_version`;

const ENTRY_SOURCE = `_eq_outbox AS o LEFT JOIN _eq_row_state AS s ON s.table_id = o.table_id AND s.row_id = o.row_id`;

/**
 * The next entries in change order, `coalesce(first_seq, seq), seq`, without an index on
 * that expression (it would slow every captured write down). Entries never replaced (no
 * first_seq) are already in seq order, the rowid's: read in that order, the scan stops
 * after `limit` of them. Replaced entries come in order from their partial index
 * (`_eq_outbox_replaced`), which fresh entries never touch. The two runs are merged, so a
 * batch costs about its own size, not the queue's; with `after` (the last entry read
 * while its rows are in flight) both runs start past it instead of walking over the
 * entries in flight. The limit is in the text (see
 * {@link limitClause}). Exported for its query-plan test (the package does not re-export it).
 */
export function batchSql(limit: number): string {
  const limited = limitClause(limit);
  return `
  SELECT * FROM (SELECT ${ENTRY_COLUMNS}, o.seq AS place FROM ${ENTRY_SOURCE}
                  WHERE o.first_seq IS NULL AND o.seq > @afterPlace AND ${READY} ORDER BY o.seq ${limited})
  UNION ALL
  SELECT * FROM (SELECT ${ENTRY_COLUMNS}, o.first_seq AS place FROM ${ENTRY_SOURCE}
                  WHERE o.first_seq IS NOT NULL AND (o.first_seq > @afterPlace OR (o.first_seq = @afterPlace AND o.seq > @afterSeq))
                    AND ${READY} ORDER BY o.first_seq, o.seq ${limited})
  ORDER BY place, seq
  ${limited}`;
}

const REMOVE_SQL = `DELETE FROM _eq_outbox WHERE seq IN (SELECT seq FROM (${ACKS_SQL}))`;

/**
 * The owner of `_eq_outbox`, the queue stage: reads batches in change order, acknowledges,
 * fails or defers entries by sequence number, holds and releases deletes, and drops the
 * entries pulled rows or a person's choice supersede. Only the fold of captured changes
 * (`CaptureLog.fold`) writes the outbox besides this class, and every method folds
 * first, so the queue is never behind a write. A record's state moves with its entry
 * through {@link RowStates}, in the same transaction.
 *
 * @example
 * const capture = new CaptureLog(db);
 * const queue = new OutboxQueue(db, directory, new RowStates(db, capture), capture);
 * const batch = queue.readBatch({ limit: 500 });
 * queue.ack(batch.map((entry) => entry.seq));
 */
export class OutboxQueue {
  private readonly statements: StatementCache;


  constructor(
    private readonly db: Database,
    private readonly tables: TableDirectory,
    private readonly rows: RowStates,
    private readonly capture: CaptureLog,
  ) {
    this.statements = new StatementCache(db);
  }

  /** Entries ready to upload or backing off; deletes awaiting confirmation are not counted. */
  pendingUploads(): number {
    this.capture.fold();
    return this.statements
      .get('pending', `SELECT count(*) FROM _eq_outbox WHERE awaiting_confirmation = 0 AND table_id IN (SELECT value FROM json_each(?))`)
      .pluck()
      .get(this.tables.idsJson()) as number;
  }

  /**
   * How many changes wait to upload per table, in one statement (a queue can be a day of
   * sales long): held deletes and the changes of rows in conflict (they wait for a person)
   * are left out, so the counts match what {@link OutboxQueue.readBatch} can return.
   */
  pendingByTable(): Map<string, number> {
    this.capture.fold();
    const counts = this.statements
      .get(
        'pending-by-table',
        `SELECT o.table_id AS tableId, count(*) AS count FROM _eq_outbox AS o
           LEFT JOIN _eq_row_state AS s ON s.table_id = o.table_id AND s.row_id = o.row_id
          WHERE o.awaiting_confirmation = 0 AND coalesce(s.state, '') <> 'Conflict' AND o.table_id IN (SELECT value FROM json_each(?))
          GROUP BY o.table_id`,
      )
      .all(this.tables.idsJson()) as { tableId: number; count: number }[];
    return new Map(counts.flatMap(({ tableId, count }) => {
      const table = this.tables.byId(tableId)?.definition.name;
      return table === undefined ? [] : [[table, count] as const];
    }));
  }

  /** A record's sync state (kept by {@link RowStates}), or `undefined` for an unknown record. */
  rowState(table: string, id: string): SyncState | undefined {
    return this.rows.state(this.tables.byName(table).id, id);
  }

  /** The newest entry's seq (0 when the queue is empty): it moves whenever any connection queues a change. */
  newestSeq(): number {
    this.capture.fold();
    return (this.statements.get('newest', `SELECT coalesce(max(seq), 0) FROM _eq_outbox`).pluck().get() as number) ?? 0;
  }

  readBatch(options: OutboxBatchOptions = {}): OutboxEntry[] {
    this.capture.fold();
    const limit = options.limit ?? 500;
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
    const table = options.table === undefined ? null : this.tables.byName(options.table).id;
    const entries = this.statements.get(`batch:${limit}`, batchSql(limit)).all({
      now: options.now ?? Date.now(),
      table,
      tables: this.tables.idsJson(),
      // By id alone (a row pair would be slow to look up): a row of another table with the same id only waits a batch.
      skip: JSON.stringify((options.skipRows ?? []).map((row) => row.id)),
      // A fresh entry's place is its seq, so past (place, seq) it only has to be past place.
      afterPlace: options.after?.place ?? 0,
      afterSeq: options.after?.seq ?? 0,
    }) as EntryRow[];
    return this.withRows(entries);
  }

  /**
   * Removes the acknowledged entries and marks their rows Synced. An entry replaced by a
   * newer change has a newer seq and is not touched, so that change is still uploaded.
   * Set-based: three statements per call, whatever the number of acks.
   */
  ack(acks: readonly (number | OutboxAck)[]): number {
    this.capture.fold();
    if (acks.length === 0) return 0;
    const items = encodeAcks(acks, (name) => this.tables.find(name)?.id);
    return this.db.transaction(() => {
      // The rows first: they are found through the entries this removes.
      this.rows.settleAcknowledged(items, acks.length);
      return this.statements.get('remove', REMOVE_SQL).run(items).changes;
    }).immediate();
  }

  /** Records a failed attempt; the entry is skipped by `readBatch` until `nextAttemptAt` (ms). */
  fail(seq: number, error: string, nextAttemptAt: number): boolean {
    this.capture.fold();
    const result = this.db
      .prepare(`UPDATE _eq_outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE seq = ?`)
      .run(error, nextAttemptAt, seq);
    return result.changes > 0;
  }

  /** Holds an entry until `until` (ms) with a reason, without counting an attempt: it is not at fault. */
  defer(seq: number, reason: string, until: number): void {
    this.capture.fold();
    this.statements.get('defer', `UPDATE _eq_outbox SET last_error = ?, next_attempt_at = ? WHERE seq = ?`).run(reason, until, seq);
  }

  /** Entries that failed at least once (held deletes aside), in change order, at most `limit`. */
  failed(limit: number): FailedEntry[] {
    this.capture.fold();
    // Prepared once per limit: the status lists failures after every run.
    const rows = this.statements
      .get(
        `failed:${limit}`,
        `SELECT seq, table_id, row_id, last_error, attempts, next_attempt_at FROM _eq_outbox
          WHERE last_error IS NOT NULL AND awaiting_confirmation = 0 AND table_id IN (SELECT value FROM json_each(?))
          ORDER BY coalesce(first_seq, seq) ${limitClause(limit)}`,
      )
      .all(this.tables.idsJson()) as { seq: number; table_id: number; row_id: string; last_error: string; attempts: number; next_attempt_at: number }[];
    return rows.map((r) => ({
      seq: r.seq,
      table: this.tables.byId(r.table_id)?.definition.name ?? String(r.table_id),
      id: r.row_id,
      reason: r.last_error,
      attempts: r.attempts,
      nextAttemptAt: r.next_attempt_at,
    }));
  }

  /** Entries of `table` not ready before `now`, in change order, with their rows. */
  waiting(table: string, now: number): WaitingEntry[] {
    this.capture.fold();
    const context = this.tables.byName(table);
    const rows = this.statements
      .get(
        'waiting',
        `SELECT seq, row_id, next_attempt_at FROM _eq_outbox
          WHERE table_id = ? AND awaiting_confirmation = 0 AND next_attempt_at > ? ORDER BY coalesce(first_seq, seq), seq`,
      )
      .all(context.id, now) as { seq: number; row_id: string; next_attempt_at: number }[];
    return rows.map((r) => ({ seq: r.seq, id: r.row_id, nextAttemptAt: r.next_attempt_at, row: this.tables.readRow(context, r.row_id) }));
  }

  /** Drops a record's queued change, if any (a person set the row aside). Call before its state forgets the entry. */
  dropPending(tableId: number, id: string): void {
    this.capture.fold();
    this.statements.get('drop-pending', `DELETE FROM _eq_outbox WHERE seq = (SELECT pending_seq FROM _eq_row_state WHERE table_id = ? AND row_id = ?)`).run(
      tableId,
      id,
    );
  }

  /**
   * Drops the queued changes pulled rows replace (`rows`: JSON `[[id, …], ...]`). Call before
   * their states forget the entries. An empty queue, the usual case on a pull, costs one lookup.
   */
  dropPulled(tableId: number, rows: string): void {
    this.capture.fold();
    if (this.statements.get('any', `SELECT 1 FROM _eq_outbox LIMIT 1`).get() === undefined) return;
    // IN lists rather than a join: with a join the planner may walk all the table's records and the list for each.
    this.statements.get(
      'drop-pulled',
      `DELETE FROM _eq_outbox WHERE seq IN (
         SELECT pending_seq FROM _eq_row_state
          WHERE table_id = @table AND row_id IN (SELECT value ->> 0 FROM json_each(@rows)) AND pending_seq IS NOT NULL)`,
    ).run({ table: tableId, rows });
  }

  /**
   * Appends one entry per row `source` yields — a SELECT of `(table_id, row_id, op)`, in
   * the order the entries must go up — and returns how many. The caller points the
   * records' states at them ({@link RowStates.pointAtQueued}) in the same transaction.
   */
  append(source: string, params: Record<string, unknown>): number {
    this.capture.fold();
    return this.db.prepare(`INSERT INTO _eq_outbox (table_id, row_id, op) ${source}`).run(params).changes;
  }

  listPendingDeletes(): PendingDelete[] {
    this.capture.fold();
    const rows = this.db
      .prepare(
        `SELECT seq, table_id, row_id FROM _eq_outbox
          WHERE awaiting_confirmation = 1 AND table_id IN (SELECT value FROM json_each(?))
          ORDER BY coalesce(first_seq, seq)`,
      )
      .all(this.tables.idsJson()) as { seq: number; table_id: number; row_id: string }[];
    return rows.flatMap(({ seq, table_id, row_id }) => {
      const context = this.tables.byId(table_id);
      if (context === undefined) return [];
      const updatedAt = this.tables.readRow(context, row_id)?.updated_at;
      return [{ seq, table: context.definition.name, id: row_id, updatedAt: typeof updatedAt === 'string' ? updatedAt : undefined }];
    });
  }

  /** Releases held deletes (by row id, or all of them) for upload; returns how many. */
  confirmDeletes(ids: readonly string[] | 'all'): number {
    this.capture.fold();
    const only = ids === 'all' ? null : JSON.stringify(ids);
    return this.db
      .prepare(
        `UPDATE _eq_outbox SET awaiting_confirmation = 0
          WHERE awaiting_confirmation = 1 AND table_id IN (SELECT value FROM json_each(?))
            AND (? IS NULL OR row_id IN (SELECT value FROM json_each(?)))`,
      )
      .run(this.tables.idsJson(), only, only).changes;
  }

  /** Attaches each entry's current row, read per table in one statement. */
  private withRows(entries: readonly EntryRow[]): OutboxEntry[] {
    const ids = new Map<number, string[]>();
    for (const entry of entries) {
      const list = ids.get(entry.table_id);
      if (list) list.push(entry.row_id);
      else ids.set(entry.table_id, [entry.row_id]);
    }
    const rows = new Map<number, Map<string, Row>>();
    for (const [tableId, list] of ids) {
      const context = this.tables.byId(tableId);
      if (context !== undefined) rows.set(tableId, this.tables.readRows(context, list));
    }
    return entries.flatMap((entry) => {
      const context = this.tables.byId(entry.table_id);
      const row = rows.get(entry.table_id)?.get(entry.row_id);
      // Only the engine's muted path removes rows for good; a leftover entry has nothing to send.
      if (context === undefined || row === undefined) return [];
      return [
        {
          seq: entry.seq,
          place: entry.place,
          table: context.definition.name,
          id: entry.row_id,
          op: entry.op,
          attempts: entry.attempts,
          lastError: entry.last_error ?? undefined,
          state: entry.state,
          serverVersion: entry.server_version,
          row,
        },
      ];
    });
  }
}
