import type { Database, Statement } from 'better-sqlite3';

/**
 * The captured steps grouped per record, oldest first by the record's first step:
 * - `op_anchor`, the last step that decides the entry's op by itself (an insert, or an
 *   update that leaves a tombstone); the steps after it are plain edits;
 * - `held_anchor`, the last step that decides whether a delete is held (every step but
 *   an edit of a row that was and stays a tombstone).
 */
const GROUPS = `
  SELECT table_id, row_id, min(seq) AS first, max(seq) AS last,
         max(CASE WHEN kind = 'insert' OR new_deleted = 1 THEN seq END) AS op_anchor,
         max(CASE WHEN kind = 'insert' OR new_deleted = 0 OR old_deleted = 0 THEN seq END) AS held_anchor
    FROM _eq_capture WHERE kind <> 'folded' GROUP BY table_id, row_id`;

/**
 * One new entry per captured record, in the order of the records' first steps, exactly
 * what the steps one by one would have left (see capture-triggers.ts for the rules):
 * - op: an insert stays an insert through later edits; an update leaving a tombstone is a
 *   delete, and an edit after it an update; plain edits keep the queued entry's insert;
 * - the queue place: an entry already queued keeps its place (`first_seq`);
 * - held (awaiting confirmation): a delete is held, an insert or a live row is not, an
 *   edit of a tombstone keeps what was there (held when nothing was).
 * Attempts and back-off start afresh, as for any replaced entry.
 */
const APPEND_ENTRIES = `
  INSERT INTO _eq_outbox (table_id, row_id, op, first_seq, awaiting_confirmation)
  SELECT g.table_id, g.row_id,
         CASE WHEN o.kind = 'insert' THEN 'insert'
              WHEN o.seq = g.last THEN 'delete'
              WHEN o.seq IS NOT NULL THEN 'update'
              WHEN e.op = 'insert' THEN 'insert'
              ELSE 'update' END,
         CASE WHEN e.seq IS NULL THEN NULL ELSE coalesce(e.first_seq, e.seq) END,
         CASE WHEN h.seq IS NULL THEN coalesce(e.awaiting_confirmation, 1)
              WHEN h.kind = 'insert' OR h.new_deleted = 0 THEN 0
              ELSE 1 END
    FROM (${GROUPS}) AS g
    LEFT JOIN _eq_capture AS o ON o.seq = g.op_anchor
    LEFT JOIN _eq_capture AS h ON h.seq = g.held_anchor
    LEFT JOIN _eq_row_state AS s ON s.table_id = g.table_id AND s.row_id = g.row_id
    LEFT JOIN _eq_outbox AS e ON e.seq = s.pending_seq
   ORDER BY g.first`;

/** The entries the new ones replace. Runs after they are appended and before the states point at them. */
const DROP_REPLACED = `
  DELETE FROM _eq_outbox WHERE seq IN (
    SELECT s.pending_seq FROM _eq_row_state AS s
      JOIN (SELECT DISTINCT table_id, row_id FROM _eq_capture WHERE kind <> 'folded') AS c ON c.table_id = s.table_id AND c.row_id = s.row_id
     WHERE s.pending_seq IS NOT NULL AND s.pending_seq <= @before)`;

/** Each captured record is PendingUpload (a Conflict stays one until resolved) and points at its new entry. */
const POINT_STATES = `
  INSERT INTO _eq_row_state (table_id, row_id, state, pending_seq)
  SELECT table_id, row_id, 'PendingUpload', seq FROM _eq_outbox WHERE seq > @before AND true
  ON CONFLICT (table_id, row_id) DO UPDATE SET pending_seq = excluded.pending_seq,
    state = CASE state WHEN 'Conflict' THEN 'Conflict' ELSE 'PendingUpload' END`;

/**
 * The owner of `_eq_capture`, the log the change-capture triggers append to (one row per
 * write of a synced table, whoever writes: see capture-triggers.ts). Appending is all a
 * write pays, about the least any capture in the writer's transaction can cost; the
 * queue (`_eq_outbox`) and the records' states (`_eq_row_state`) are brought up to the
 * log by {@link CaptureLog.fold}, set-based, before anything reads them. Their owners
 * (`OutboxQueue`, `RowStates`) fold first in every method, and a store's read snapshot
 * folds before it begins, so no reader ever sees them behind the log.
 *
 * A fold leaves a mark at the newest step's seq (kind `folded`): new steps then always
 * get a higher seq (SQLite gives max(rowid) + 1), so the newest seq only ever grows and
 * tells that a change was captured ({@link CaptureLog.highWater}) without AUTOINCREMENT,
 * whose bookkeeping would cost every write a second row update.
 *
 * A fold writes, so inside a read transaction (a snapshot) it does nothing: the
 * snapshot's reads see the state folded just before it began.
 *
 * @example
 * const capture = new CaptureLog(db);
 * db.prepare(`UPDATE "clients" SET name = 'Ada' WHERE id = ?`).run(id); // appends to the log
 * capture.fold(); // the client's queued entry and PendingUpload state
 */
export class CaptureLog {
  /** 1 when the newest step is the mark of the last fold (nothing new), 0 when there is work, nothing when the log is empty. */
  private readonly newestFolded: Statement<[], number | undefined>;
  private readonly newestStep: Statement<[], number | null>;
  private readonly newestEntry: Statement<[], number | undefined>;
  private readonly append: Statement<[]>;
  private readonly drop: Statement<[{ before: number }]>;
  private readonly point: Statement<[{ before: number }]>;
  private readonly clear: Statement<[]>;
  private readonly mark: Statement<[{ last: number }]>;
  private reading = 0;

  constructor(private readonly db: Database) {
    this.newestFolded = db.prepare<[], number | undefined>(`SELECT kind = 'folded' FROM _eq_capture ORDER BY seq DESC LIMIT 1`).pluck();
    this.newestStep = db.prepare<[], number | null>(`SELECT max(seq) FROM _eq_capture`).pluck();
    this.newestEntry = db.prepare<[], number | undefined>(`SELECT seq FROM sqlite_sequence WHERE name = '_eq_outbox'`).pluck();
    this.append = db.prepare(APPEND_ENTRIES);
    this.drop = db.prepare(DROP_REPLACED);
    this.point = db.prepare(POINT_STATES);
    // All of it at once (SQLite drops the pages without visiting the rows), then the mark at the newest seq.
    this.clear = db.prepare(`DELETE FROM _eq_capture`);
    this.mark = db.prepare(`INSERT INTO _eq_capture (seq, table_id, row_id, kind) VALUES (@last, 0, '', 'folded')`);
  }

  /**
   * The newest step's seq (0 before any): it moves whenever any connection captures a
   * change, and never moves back.
   */
  highWater(): number {
    return this.newestStep.get() ?? 0;
  }

  /**
   * Moves every captured write into the queue and the records' states, in one
   * transaction (the caller's, when one is open), and returns how many records it
   * queued. Nothing new in the log costs one lookup. Outside a transaction, a write lock
   * held elsewhere past the busy timeout leaves the log for the next fold (0).
   */
  fold(): number {
    if (this.reading > 0 || this.newestFolded.get() !== 0) return 0;
    if (this.db.inTransaction) return this.foldAll();
    try {
      return this.foldAll();
    } catch (error) {
      // Another connection held the write lock past the busy timeout (a long import). A
      // caller outside a transaction only reads (what writes takes the lock itself and
      // fails there): it answers with the queue as last folded, as reads did before the log.
      if (isBusy(error)) return 0;
      throw error;
    }
  }

  private foldAll(): number {
    return this.db.transaction(() => {
      const last = this.highWater();
      const before = this.newestEntry.get() ?? 0;
      const queued = this.append.run().changes;
      this.drop.run({ before });
      this.point.run({ before });
      this.clear.run();
      this.mark.run({ last });
      return queued;
    }).immediate();
  }

  /**
   * Runs `fn`, a read transaction's work, with folding off: a read transaction cannot
   * write, so the caller folds just before it.
   */
  whileReading<T>(fn: () => T): T {
    this.reading += 1;
    try {
      return fn();
    } finally {
      this.reading -= 1;
    }
  }
}

/** SQLite's "database is locked" (SQLITE_BUSY and its extended codes). */
function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}
