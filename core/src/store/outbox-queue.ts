import type { Database, Statement } from 'better-sqlite3';
import type { Row } from '../declarations/index.js';
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
 * that expression (any index on the outbox slows every captured write down). Entries
 * never replaced (no first_seq) are already in seq order, the rowid's: read in that
 * order, the scan stops after `limit` of them. Only replaced entries need sorting. The
 * two runs are merged, so a batch costs about its own size, not the queue's.
 */
const BATCH_SQL = `
  SELECT * FROM (SELECT ${ENTRY_COLUMNS}, o.seq AS place FROM ${ENTRY_SOURCE}
                  WHERE o.first_seq IS NULL AND ${READY} ORDER BY o.seq LIMIT @limit)
  UNION ALL
  SELECT * FROM (SELECT ${ENTRY_COLUMNS}, o.first_seq AS place FROM ${ENTRY_SOURCE}
                  WHERE o.first_seq IS NOT NULL AND ${READY} ORDER BY o.first_seq, o.seq LIMIT @limit)
  ORDER BY place, seq
  LIMIT @limit`;

/** Acks as rows: [seq, server_version, table_id, row_id] (a bigint version travels as digits). */
const ACKS = `SELECT value ->> 0 AS seq, CAST(value ->> 1 AS INTEGER) AS version, value ->> 2 AS table_id, value ->> 3 AS row_id FROM json_each(?)`;

/** An ack whose entry a newer change replaced: its version becomes the row's base (the latest ack of a row wins). */
const REBASE_SQL = `
  UPDATE _eq_row_state AS s SET server_version = a.version
    FROM (SELECT k.table_id, k.row_id, k.version, max(k.seq) FROM (${ACKS}) AS k
           WHERE k.version IS NOT NULL AND k.table_id IS NOT NULL AND k.row_id IS NOT NULL
             AND NOT EXISTS (SELECT 1 FROM _eq_outbox AS o WHERE o.seq = k.seq)
           GROUP BY k.table_id, k.row_id) AS a
   WHERE s.table_id = a.table_id AND s.row_id = a.row_id`;

/** A row whose queued change is the acknowledged one is Synced at the acknowledged version. */
const SYNCED_SQL = `
  UPDATE _eq_row_state AS s
     SET state = CASE s.state WHEN 'PendingUpload' THEN 'Synced' ELSE s.state END,
         pending_seq = NULL, server_version = coalesce(a.version, s.server_version)
    FROM (SELECT o.seq, o.table_id, o.row_id, k.version FROM (${ACKS}) AS k JOIN _eq_outbox AS o ON o.seq = k.seq) AS a
   WHERE s.table_id = a.table_id AND s.row_id = a.row_id AND s.pending_seq = a.seq`;

const REMOVE_SQL = `DELETE FROM _eq_outbox WHERE seq IN (SELECT value ->> 0 FROM json_each(?))`;

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
  private readonly statements = new Map<string, Statement>();

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
    const table = options.table === undefined ? null : this.tables.byName(options.table).id;
    const entries = this.statement('batch', BATCH_SQL).all({
      now: options.now ?? Date.now(),
      table,
      tables: this.tables.idsJson(),
      limit,
      // By id alone (a row pair would be slow to look up): a row of another table with the same id only waits a batch.
      skip: JSON.stringify((options.skipRows ?? []).map((row) => row.id)),
    }) as EntryRow[];
    return this.withRows(entries);
  }

  /**
   * Removes the acknowledged entries and marks their rows Synced. An entry replaced by a
   * newer change has a newer seq and is not touched, so that change is still uploaded.
   * Set-based: three statements per call, whatever the number of acks.
   */
  ack(acks: readonly (number | OutboxAck)[]): number {
    if (acks.length === 0) return 0;
    const items = JSON.stringify(
      acks.map((ack) => {
        if (typeof ack === 'number') return [ack, null, null, null];
        const version = ack.serverVersion === undefined ? null : typeof ack.serverVersion === 'bigint' ? String(ack.serverVersion) : ack.serverVersion;
        const tableId = ack.table === undefined ? null : (this.tables.find(ack.table)?.id ?? null);
        return [ack.seq, version, tableId, ack.id ?? null];
      }),
    );
    return this.db.transaction(() => {
      // The cloud holds the acknowledged version even when a newer local change replaced
      // the entry meanwhile: that change must build on it, or it would conflict with itself.
      this.statement('rebase', REBASE_SQL).run(items);
      this.statement('synced', SYNCED_SQL).run(items);
      return this.statement('remove', REMOVE_SQL).run(items).changes;
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

  private statement(key: string, sql: string): Statement {
    let statement = this.statements.get(key);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.statements.set(key, statement);
    }
    return statement;
  }
}
