import type { Database } from 'better-sqlite3';
import type { OutboxAck, OutboxBatchOptions, OutboxEntry, OutboxOp, PendingDelete, SyncState } from './sync-state.js';
import type { TableDirectory } from './table-directory.js';

interface EntryRow {
  seq: number;
  table_id: number;
  row_id: string;
  op: OutboxOp;
  attempts: number;
  last_error: string | null;
  state: SyncState;
}

/**
 * The queue stage's view of `_eq_outbox` and `_eq_row_state`: read batches in change
 * order, acknowledge or fail entries by sequence number, hold and release deletes.
 *
 * @example
 * const queue = new OutboxQueue(db, directory);
 * const batch = queue.readBatch({ limit: 500 });
 * queue.ack(batch.map((entry) => entry.seq));
 */
export class OutboxQueue {
  constructor(
    private readonly db: Database,
    private readonly tables: TableDirectory,
  ) {}

  /** Entries ready to upload or backing off; deletes awaiting confirmation are not counted. */
  pendingUploads(): number {
    return this.db
      .prepare(`SELECT count(*) FROM _eq_outbox WHERE awaiting_confirmation = 0 AND table_id IN (SELECT value FROM json_each(?))`)
      .pluck()
      .get(this.tables.idsJson()) as number;
  }

  rowState(table: string, id: string): SyncState | undefined {
    const { id: tableId } = this.tables.byName(table);
    return this.db
      .prepare(`SELECT state FROM _eq_row_state WHERE table_id = ? AND row_id = ?`)
      .pluck()
      .get(tableId, id) as SyncState | undefined;
  }

  readBatch(options: OutboxBatchOptions = {}): OutboxEntry[] {
    const limit = options.limit ?? 500;
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
    const tableId = options.table === undefined ? null : this.tables.byName(options.table).id;
    const rows = this.db
      .prepare(
        `SELECT o.seq, o.table_id, o.row_id, o.op, o.attempts, o.last_error, coalesce(s.state, 'PendingUpload') AS state
           FROM _eq_outbox AS o
           LEFT JOIN _eq_row_state AS s ON s.table_id = o.table_id AND s.row_id = o.row_id
          WHERE o.awaiting_confirmation = 0 AND o.next_attempt_at <= ? AND coalesce(s.state, '') <> 'Conflict'
            AND (? IS NULL OR o.table_id = ?) AND o.table_id IN (SELECT value FROM json_each(?))
          ORDER BY coalesce(o.first_seq, o.seq), o.seq
          LIMIT ?`,
      )
      .all(options.now ?? Date.now(), tableId, tableId, this.tables.idsJson(), limit) as EntryRow[];
    return rows.flatMap((entry) => this.toEntry(entry));
  }

  /**
   * Removes the acknowledged entries and marks their rows Synced. An entry replaced by a
   * newer change has a newer seq and is not touched, so that change is still uploaded.
   */
  ack(acks: readonly (number | OutboxAck)[]): number {
    const remove = this.db.prepare(`DELETE FROM _eq_outbox WHERE seq = ? RETURNING table_id, row_id`);
    const synced = this.db.prepare(
      `UPDATE _eq_row_state
          SET state = CASE state WHEN 'PendingUpload' THEN 'Synced' ELSE state END,
              pending_seq = NULL, server_version = coalesce(?, server_version)
        WHERE table_id = ? AND row_id = ? AND pending_seq = ?`,
    );
    // The cloud holds the acknowledged version even when a newer local change replaced
    // the entry meanwhile: that change must build on it, or it would conflict with itself.
    const rebase = this.db.prepare(`UPDATE _eq_row_state SET server_version = ? WHERE table_id = ? AND row_id = ?`);
    return this.db.transaction(() => {
      let acked = 0;
      for (const ack of acks) {
        const { seq, serverVersion } = typeof ack === 'number' ? { seq: ack, serverVersion: undefined } : ack;
        const removed = remove.get(seq) as { table_id: number; row_id: string } | undefined;
        if (removed === undefined) {
          if (typeof ack !== 'number' && ack.table !== undefined && ack.id !== undefined && serverVersion !== undefined) {
            rebase.run(serverVersion, this.tables.byName(ack.table).id, ack.id);
          }
          continue;
        }
        synced.run(serverVersion ?? null, removed.table_id, removed.row_id, seq);
        acked += 1;
      }
      return acked;
    }).immediate();
  }

  /** Records a failed attempt; the entry is skipped by `readBatch` until `nextAttemptAt` (ms). */
  fail(seq: number, error: string, nextAttemptAt: number): boolean {
    const result = this.db
      .prepare(`UPDATE _eq_outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE seq = ?`)
      .run(error, nextAttemptAt, seq);
    return result.changes > 0;
  }

  listPendingDeletes(): PendingDelete[] {
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
    const only = ids === 'all' ? null : JSON.stringify(ids);
    return this.db
      .prepare(
        `UPDATE _eq_outbox SET awaiting_confirmation = 0
          WHERE awaiting_confirmation = 1 AND table_id IN (SELECT value FROM json_each(?))
            AND (? IS NULL OR row_id IN (SELECT value FROM json_each(?)))`,
      )
      .run(this.tables.idsJson(), only, only).changes;
  }

  private toEntry(entry: EntryRow): OutboxEntry[] {
    const context = this.tables.byId(entry.table_id);
    const row = context === undefined ? undefined : this.tables.readRow(context, entry.row_id);
    // Only the engine's muted path removes rows for good; a leftover entry has nothing to send.
    if (context === undefined || row === undefined) return [];
    return [
      {
        seq: entry.seq,
        table: context.definition.name,
        id: entry.row_id,
        op: entry.op,
        attempts: entry.attempts,
        lastError: entry.last_error ?? undefined,
        state: entry.state,
        row,
      },
    ];
  }
}
