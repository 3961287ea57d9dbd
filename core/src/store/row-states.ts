import type { Database } from 'better-sqlite3';
import type { CaptureLog } from './capture-log.js';
import { ACKS_SQL } from './outbox-acks.js';
import { StatementCache } from './statement-cache.js';
import type { SyncState } from './sync-state.js';

const SYNC_STATES: readonly SyncState[] = ['Synced', 'PendingUpload', 'PendingDownload', 'Conflict'];

/** Rows a `markPulled` statement records at most: three parameters each, within the 999 the oldest SQLite binds. */
const PULLED_PER_STATEMENT = 333;

/**
 * A pulled row's id and the `server_version` it came with (digits past 2^53 as text).
 *
 * @example
 * const pulled: PulledVersion = ['a1', 52];
 */
export type PulledVersion = readonly [id: string, serverVersion: number | string | null];

/**
 * What the engine knows about one record's standing with the cloud.
 *
 * @example
 * const info: RecordSyncInfo | undefined = store.records.info('clients', [id]).get(id);
 * if (info?.pendingSeq !== null) console.log('a change of it is queued');
 */
export interface RecordSyncInfo {
  readonly state: SyncState;
  /** The `server_version` last seen for the record: the base of its next upload. */
  readonly serverVersion: number | null;
  /** The seq of its queued change, if one is queued. */
  readonly pendingSeq: number | null;
}

/**
 * An ack whose entry a newer change replaced: its version becomes the base of that change,
 * still queued (the latest ack of a row wins). A row with nothing queued any more keeps
 * its version: its change was acknowledged (by this call too) or superseded meanwhile.
 */
const REBASE_REPLACED_SQL = `
  UPDATE _eq_row_state AS s SET server_version = a.version
    FROM (SELECT k.table_id, k.row_id, k.version, max(k.seq) FROM (${ACKS_SQL}) AS k
           WHERE k.version IS NOT NULL AND k.table_id IS NOT NULL AND k.row_id IS NOT NULL
             AND NOT EXISTS (SELECT 1 FROM _eq_outbox AS o WHERE o.seq = k.seq)
           GROUP BY k.table_id, k.row_id) AS a
   WHERE s.table_id = a.table_id AND s.row_id = a.row_id AND s.pending_seq IS NOT NULL`;

/** A row whose queued change is the acknowledged one is Synced at the acknowledged version. */
const ACKNOWLEDGED_SQL = `
  UPDATE _eq_row_state AS s
     SET state = CASE s.state WHEN 'PendingUpload' THEN 'Synced' ELSE s.state END,
         pending_seq = NULL, server_version = coalesce(a.version, s.server_version)
    FROM (SELECT o.seq, o.table_id, o.row_id, k.version FROM (${ACKS_SQL}) AS k JOIN _eq_outbox AS o ON o.seq = k.seq) AS a
   WHERE s.table_id = a.table_id AND s.row_id = a.row_id AND s.pending_seq = a.seq`;

/**
 * The owner of `_eq_row_state`: each record's sync state, its base `server_version` and
 * the seq of its queued change. Only the fold of captured changes (`CaptureLog.fold`)
 * writes it besides this class, and every method folds first, so no caller sees a state
 * behind a write; every other module asks it. Methods take table ids (`_eq_tables`),
 * resolved by the caller.
 *
 * @example
 * const rows = new RowStates(db, new CaptureLog(db));
 * rows.rebase(tableId, id, 4711, 'PendingUpload');
 * rows.state(tableId, id); // 'PendingUpload'
 */
export class RowStates {

  private readonly statements: StatementCache;

  constructor(
    private readonly db: Database,
    private readonly capture: CaptureLog,
  ) {
    this.statements = new StatementCache(db);
  }

  /** A record's state, or `undefined` for a record the engine never saw. */
  state(tableId: number, id: string): SyncState | undefined {
    this.capture.fold();
    return this.statements.get('state', `SELECT state FROM _eq_row_state WHERE table_id = ? AND row_id = ?`).pluck().get(tableId, id) as SyncState | undefined;
  }

  /** What is known of each of `ids` (records never seen are left out). */
  info(tableId: number, ids: readonly string[]): Map<string, RecordSyncInfo> {
    this.capture.fold();
    const rows = this.statements.get(
      'info',
      `SELECT row_id, state, server_version, pending_seq FROM _eq_row_state
        WHERE table_id = ? AND row_id IN (SELECT value FROM json_each(?))`,
    ).all(tableId, JSON.stringify(ids)) as { row_id: string; state: SyncState; server_version: number | null; pending_seq: number | null }[];
    return new Map(rows.map((r) => [r.row_id, { state: r.state, serverVersion: r.server_version, pendingSeq: r.pending_seq }]));
  }

  /**
   * Records in `state` among the tables `tableIdsJson` lists. The state is written into
   * the statement rather than bound, so that the rare states (Conflict, PendingDownload)
   * are counted from their partial indexes: the status after every run must not read all
   * the records of a large store.
   */
  count(state: SyncState, tableIdsJson: string): number {
    this.capture.fold();
    if (!SYNC_STATES.includes(state)) throw new RangeError(`unknown sync state "${String(state)}"`);
    // One statement per state, prepared once: the status counts after every run, a no-op one included.
    return this.statements
      .get(`count-${state}`, `SELECT count(*) FROM _eq_row_state WHERE state = '${state}' AND table_id IN (SELECT value FROM json_each(?))`)
      .pluck()
      .get(tableIdsJson) as number;
  }

  /**
   * Settles acknowledged uploads (`acks`: see `encodeAcks`), before their entries leave
   * the queue: a row whose queued change is the acknowledged one becomes Synced at the
   * acknowledged version; a row whose entry a newer change replaced meanwhile takes the
   * version as its base all the same, or that change would conflict with itself.
   * `count` is the number of acks in `acks`.
   */
  settleAcknowledged(acks: string, count: number): void {
    this.capture.fold();
    // The two statements settle disjoint acks (entry still queued, or replaced). When every
    // ack found its entry, none was replaced: the second, a lookup per ack, is skipped.
    const settled = this.statements.get('acknowledged', ACKNOWLEDGED_SQL).run(acks).changes;
    if (settled < count) this.statements.get('rebase-replaced', REBASE_REPLACED_SQL).run(acks);
  }

  /**
   * Records pulled rows Synced at their versions, a few statements a page. `rows` are
   * `[id, server_version]` in page order, so a row given twice ends with its last version,
   * as one by one. The values are bound, several rows a statement, rather than sent as one
   * JSON text for SQLite to take apart again: that costs more than writing the states.
   */
  markPulled(tableId: number, rows: readonly PulledVersion[]): void {
    this.capture.fold();
    for (let at = 0; at < rows.length; ) {
      let count = Math.min(PULLED_PER_STATEMENT, rows.length - at);
      // Full statements, then the rest in halving sizes: a handful of statements prepared, whatever the page's length.
      if (count < PULLED_PER_STATEMENT) count = 2 ** Math.floor(Math.log2(count));
      const values: (string | number | null)[] = [];
      for (let i = at; i < at + count; i += 1) {
        const [id, version] = rows[i] as PulledVersion;
        values.push(tableId, id, version);
      }
      this.statements
        .get(
          `pulled-${count}`,
          `INSERT INTO _eq_row_state (table_id, row_id, state, server_version)
           VALUES ${Array.from({ length: count }, () => `(?, ?, 'Synced', CAST(? AS INTEGER))`).join(', ')}
           ON CONFLICT (table_id, row_id) DO UPDATE SET state = 'Synced', pending_seq = NULL,
             server_version = coalesce(excluded.server_version, server_version)`,
        )
        .run(...values);
      at += count;
    }
  }

  /** A record set aside for good: Synced, nothing queued (its entry is dropped by the caller). */
  markSetAside(tableId: number, id: string): void {
    this.capture.fold();
    this.statements.get('set-aside', `UPDATE _eq_row_state SET state = 'Synced', pending_seq = NULL WHERE table_id = ? AND row_id = ?`).run(tableId, id);
  }

  /** Sets the version the record's next upload builds on, and its state when given. */
  rebase(tableId: number, id: string, serverVersion: number | string | null, state?: SyncState): void {
    this.capture.fold();
    this.statements.get('rebase', `UPDATE _eq_row_state SET server_version = ?, state = coalesce(?, state) WHERE table_id = ? AND row_id = ?`).run(
      serverVersion,
      state ?? null,
      tableId,
      id,
    );
  }

  /** The record waits for a person (its versions are in the conflict inbox). */
  markConflict(tableId: number, id: string): void {
    this.capture.fold();
    this.statements.get('conflict', `UPDATE _eq_row_state SET state = 'Conflict' WHERE table_id = ? AND row_id = ?`).run(tableId, id);
  }

  /**
   * Points records at the entries queued for them after seq `afterSeq`, PendingUpload over
   * the base each has in `bases` — SQL naming a table or subquery with columns `row_id`
   * and `base` (digits or NULL).
   */
  pointAtQueued(tableId: number, afterSeq: number, bases: string): void {
    this.capture.fold();
    this.db
      .prepare(
        `INSERT INTO _eq_row_state (table_id, row_id, state, server_version, pending_seq)
         SELECT o.table_id, o.row_id, 'PendingUpload', CAST(r.base AS INTEGER), o.seq
           FROM _eq_outbox AS o JOIN ${bases} AS r ON r.row_id = o.row_id
          WHERE o.seq > @afterSeq AND o.table_id = @tableId AND true
         ON CONFLICT (table_id, row_id) DO UPDATE SET state = 'PendingUpload', pending_seq = excluded.pending_seq,
           server_version = excluded.server_version`,
      )
      .run({ tableId, afterSeq });
  }

  /** Forgets the cloud version of every Synced record of the table with nothing queued. */
  forgetSyncedVersions(tableId: number): void {
    this.capture.fold();
    this.db.prepare(`UPDATE _eq_row_state SET server_version = NULL WHERE table_id = ? AND pending_seq IS NULL AND state = 'Synced'`).run(tableId);
  }

  /**
   * Forgets the cloud version of the records `ids` (SQL yielding row ids) with nothing
   * queued, so a pull takes their next version for a new one; returns how many.
   */
  forgetVersionsOf(tableId: number, ids: string): number {
    this.capture.fold();
    return this.db
      .prepare(`UPDATE _eq_row_state SET server_version = NULL WHERE table_id = @tableId AND pending_seq IS NULL AND row_id IN (${ids})`)
      .run({ tableId }).changes;
  }
}
