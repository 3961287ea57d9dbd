import type { Database, Statement } from 'better-sqlite3';
import { quoteIdentifier, type Row } from '../declarations/index.js';
import type { SyncState } from './sync-state.js';
import type { TableDirectory } from './table-directory.js';

const SYNC_STATES: readonly SyncState[] = ['Synced', 'PendingUpload', 'PendingDownload', 'Conflict'];

/** What the engine knows about one record's standing with the cloud. */
export interface RecordSyncInfo {
  readonly state: SyncState;
  /** The `server_version` last seen for the record: the base of its next upload. */
  readonly serverVersion: number | null;
  /** The seq of its queued change, if one is queued. */
  readonly pendingSeq: number | null;
}

/**
 * Both versions of a record a person has to choose between.
 *
 * @example
 * for (const c of engine.listConflicts()) console.log(c.table, c.id, c.local.name, c.remote.name);
 */
export interface ConflictRecord {
  readonly table: string;
  readonly id: string;
  readonly local: Row;
  readonly remote: Row;
  readonly detectedAt: number;
}

/** A queued upload that failed at least once. */
export interface FailedEntry {
  readonly seq: number;
  readonly table: string;
  readonly id: string;
  readonly reason: string;
  readonly attempts: number;
  readonly nextAttemptAt: number;
}

/** An entry waiting for a later attempt, with the row it would send. */
export interface WaitingEntry {
  readonly seq: number;
  readonly id: string;
  readonly nextAttemptAt: number;
  readonly row: Row | undefined;
}

/**
 * The engine's bookkeeping beside the queue: base versions, the conflict inbox, and
 * entries that wait (refused ones backing off, or ones held behind them).
 *
 * @example
 * const records = new SyncRecords(db, directory);
 * records.recordConflict('notes', id, localRow, remoteRow, Date.now());
 */
export class SyncRecords {
  private readonly collisionLookups = new Map<string, Statement>();

  constructor(
    private readonly db: Database,
    private readonly tables: TableDirectory,
  ) {}

  info(table: string, ids: readonly string[]): Map<string, RecordSyncInfo> {
    const { id: tableId } = this.tables.byName(table);
    const rows = this.db
      .prepare(
        `SELECT row_id, state, server_version, pending_seq FROM _eq_row_state
          WHERE table_id = ? AND row_id IN (SELECT value FROM json_each(?))`,
      )
      .all(tableId, JSON.stringify(ids)) as { row_id: string; state: SyncState; server_version: number | null; pending_seq: number | null }[];
    return new Map(rows.map((r) => [r.row_id, { state: r.state, serverVersion: r.server_version, pendingSeq: r.pending_seq }]));
  }

  /** The record as stored locally (tombstones included), or undefined. */
  localRow(table: string, id: string): Row | undefined {
    return this.tables.readRow(this.tables.byName(table), id);
  }

  /**
   * Live local rows, other than `row` itself, that hold one of `row`'s unique keys: a row
   * pulled with such a key cannot be written until one of them gives way.
   */
  uniqueCollisions(table: string, row: Row): Row[] {
    const context = this.tables.byName(table);
    const found = new Map<string, Row>();
    for (const index of context.definition.indexes.filter((candidate) => candidate.unique)) {
      if (index.columns.some((column) => row[column] === undefined || row[column] === null)) continue;
      // `=` rather than `IS`: NULLs never collide in a unique index. The tenant is named so the
      // lookup is a search of that index (tenant first), not a scan of the table for every
      // pulled row. Prepared once: pulls ask for every row of a page.
      const key = `${context.id}:${index.columns.join(',')}`;
      let lookup = this.collisionLookups.get(key);
      if (lookup === undefined) {
        const where = index.columns.map((column) => `${quoteIdentifier(column)} = ?`).join(' AND ');
        lookup = this.db
          .prepare(
            `SELECT id FROM ${quoteIdentifier(table)}
              WHERE deleted = 0 AND tenant_id = coalesce(?, (SELECT value FROM _eq_meta WHERE key = 'tenant_id')) AND id <> ? AND ${where}`,
          )
          .pluck();
        this.collisionLookups.set(key, lookup);
      }
      const tenant = typeof row.tenant_id === 'string' ? row.tenant_id : null;
      const ids = lookup.all(tenant, String(row.id), ...index.columns.map((column) => encodeKeyValue(row[column]))) as string[];
      for (const id of ids) {
        const local = this.tables.readRow(context, id);
        if (local !== undefined) found.set(id, local);
      }
    }
    return [...found.values()];
  }

  /**
   * Sets a local row aside for good, as a person decided: a tombstone, its queued change
   * dropped (the cloud refused it), state Synced. Call it inside `LocalStore.runMuted`,
   * so the tombstone is not queued as a delete.
   */
  setAside(table: string, id: string): void {
    const context = this.tables.byName(table);
    this.db.transaction(() => {
      this.db.prepare(`UPDATE ${quoteIdentifier(table)} SET deleted = 1 WHERE id = ?`).run(id);
      this.db.prepare(`DELETE FROM _eq_outbox WHERE seq = (SELECT pending_seq FROM _eq_row_state WHERE table_id = ? AND row_id = ?)`).run(context.id, id);
      this.db.prepare(`UPDATE _eq_row_state SET state = 'Synced', pending_seq = NULL WHERE table_id = ? AND row_id = ?`).run(context.id, id);
    })();
  }

  /** Sets the version the next upload of the record builds on (the local side won over it). */
  rebase(table: string, id: string, serverVersion: number | null, state?: SyncState): void {
    const { id: tableId } = this.tables.byName(table);
    this.db
      .prepare(`UPDATE _eq_row_state SET server_version = ?, state = coalesce(?, state) WHERE table_id = ? AND row_id = ?`)
      .run(serverVersion, state ?? null, tableId, id);
  }

  /** Holds an entry until `until` (ms) with a reason, without counting an attempt: it is not at fault. */
  defer(seq: number, reason: string, until: number): void {
    this.db.prepare(`UPDATE _eq_outbox SET last_error = ?, next_attempt_at = ? WHERE seq = ?`).run(reason, until, seq);
  }

  /** Entries of `table` not ready before `now`, with their rows. */
  waiting(table: string, now: number): WaitingEntry[] {
    const context = this.tables.byName(table);
    const rows = this.db
      .prepare(
        `SELECT seq, row_id, next_attempt_at FROM _eq_outbox
          WHERE table_id = ? AND awaiting_confirmation = 0 AND next_attempt_at > ? ORDER BY coalesce(first_seq, seq), seq`,
      )
      .all(context.id, now) as { seq: number; row_id: string; next_attempt_at: number }[];
    return rows.map((r) => ({ seq: r.seq, id: r.row_id, nextAttemptAt: r.next_attempt_at, row: this.tables.readRow(context, r.row_id) }));
  }

  recordConflict(table: string, id: string, local: Row, remote: Row, at: number): void {
    const { id: tableId } = this.tables.byName(table);
    this.db
      .prepare(
        `INSERT INTO _eq_conflicts (table_id, row_id, local_row, remote_row, detected_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (table_id, row_id) DO UPDATE SET local_row = excluded.local_row, remote_row = excluded.remote_row, detected_at = excluded.detected_at`,
      )
      .run(tableId, id, JSON.stringify(local), JSON.stringify(remote), at);
    this.db.prepare(`UPDATE _eq_row_state SET state = 'Conflict' WHERE table_id = ? AND row_id = ?`).run(tableId, id);
  }

  listConflicts(): ConflictRecord[] {
    const rows = this.db
      .prepare(
        `SELECT table_id, row_id, local_row, remote_row, detected_at FROM _eq_conflicts
          WHERE table_id IN (SELECT value FROM json_each(?)) ORDER BY detected_at, row_id`,
      )
      .all(this.tables.idsJson()) as { table_id: number; row_id: string; local_row: string; remote_row: string; detected_at: number }[];
    return rows.map((r) => ({
      table: this.tables.byId(r.table_id)?.definition.name ?? String(r.table_id),
      id: r.row_id,
      local: JSON.parse(r.local_row) as Row,
      remote: JSON.parse(r.remote_row) as Row,
      detectedAt: r.detected_at,
    }));
  }

  clearConflict(table: string, id: string): void {
    const { id: tableId } = this.tables.byName(table);
    this.db.prepare(`DELETE FROM _eq_conflicts WHERE table_id = ? AND row_id = ?`).run(tableId, id);
  }

  failed(limit: number): FailedEntry[] {
    const rows = this.db
      .prepare(
        `SELECT seq, table_id, row_id, last_error, attempts, next_attempt_at FROM _eq_outbox
          WHERE last_error IS NOT NULL AND awaiting_confirmation = 0 AND table_id IN (SELECT value FROM json_each(?))
          ORDER BY coalesce(first_seq, seq) LIMIT ?`,
      )
      .all(this.tables.idsJson(), limit) as { seq: number; table_id: number; row_id: string; last_error: string; attempts: number; next_attempt_at: number }[];
    return rows.map((r) => ({
      seq: r.seq,
      table: this.tables.byId(r.table_id)?.definition.name ?? String(r.table_id),
      id: r.row_id,
      reason: r.last_error,
      attempts: r.attempts,
      nextAttemptAt: r.next_attempt_at,
    }));
  }

  /**
   * Records in `state`. The state is written into the statement rather than bound, so
   * that the rare states (Conflict, PendingDownload) are counted from their partial
   * indexes: the status after every run must not read all the records of a large store.
   */
  countState(state: SyncState): number {
    if (!SYNC_STATES.includes(state)) throw new RangeError(`unknown sync state "${String(state)}"`);
    return this.db
      .prepare(`SELECT count(*) FROM _eq_row_state WHERE state = '${state}' AND table_id IN (SELECT value FROM json_each(?))`)
      .pluck()
      .get(this.tables.idsJson()) as number;
  }
}

// Unique keys compare stored values: booleans are stored as 0/1, JSON as text.
function encodeKeyValue(value: unknown): string | number | bigint | null {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint') return value;
  return value === null || value === undefined ? null : JSON.stringify(value);
}
