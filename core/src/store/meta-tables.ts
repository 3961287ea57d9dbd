import type { Database } from 'better-sqlite3';
import { createQuarantineTable } from './quarantine.js';
import { META_KEYS, StoreMeta } from './store-meta.js';
import { clearTriggerMute } from './trigger-mute.js';

/** Version of the `_eq_*` layout below; bump it with a migration when the layout changes. */
export const META_SCHEMA_VERSION = 2;

/**
 * The engine's own tables (DESIGN.md §3; `_eq_quarantine` is its owner module's, created
 * beside them). Each is written by one module, its owner; the others ask it:
 *
 * | table            | owner (module)                    | also written by                      |
 * |------------------|-----------------------------------|--------------------------------------|
 * | `_eq_meta`       | `StoreMeta` (store-meta.ts)       | capture triggers: the clock (`advanceHlcSql`) |
 * | `_eq_tables`     | `registerTable` (table-registry.ts) | —                                  |
 * | `_eq_capture`    | `CaptureLog` (capture-log.ts)     | capture triggers: each change        |
 * | `_eq_outbox`     | `OutboxQueue` (outbox-queue.ts)   | `CaptureLog.fold`                    |
 * | `_eq_row_state`  | `RowStates` (row-states.ts)       | `CaptureLog.fold`                    |
 * | `_eq_conflicts`  | `ConflictInbox` (conflict-inbox.ts) | —                                  |
 * | `_eq_cursors`    | `PullCursors` (pull-cursors.ts)   | —                                    |
 * | `_eq_mute`       | `TriggerMute` (trigger-mute.ts)   | —                                    |
 * | `_eq_quarantine` | `Quarantine` (quarantine.ts)      | —                                    |
 *
 * The triggers (capture-triggers.ts, sql-expressions.ts) are the detect stage: they must
 * record a change in the writer's own transaction, whoever writes, so they stay SQL. One
 * instance of each owner per store is made by `openSyncTables` (sync-tables.ts).
 *
 * Layout 2 added `_eq_capture`: the triggers append there, and the queue and the states
 * are brought up to it by a fold. An engine of layout 1 would never fold, so it refuses
 * the file rather than lose what the log holds.
 *
 * Tables the triggers write on every change are
 * kept lean: small integer table ids instead of names, WITHOUT ROWID where the primary
 * key is the lookup key, and no index that a trigger would have to maintain for nothing.
 */
const META_TABLES_SQL = `
  CREATE TABLE IF NOT EXISTS _eq_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) WITHOUT ROWID;

  -- Synced tables by small integer id, so trigger-written rows stay short.
  CREATE TABLE IF NOT EXISTS _eq_tables (
    table_id INTEGER PRIMARY KEY,
    name     TEXT NOT NULL UNIQUE,
    plugin   TEXT NOT NULL
  );

  -- Every captured write of a synced table, in commit order: what a write pays is this
  -- one append. A fold keeps its newest step, marked 'folded', so seqs only ever grow
  -- (see capture-log.ts) without AUTOINCREMENT's extra write per append.
  CREATE TABLE IF NOT EXISTS _eq_capture (
    seq         INTEGER PRIMARY KEY,
    table_id    INTEGER NOT NULL,
    row_id      TEXT NOT NULL,
    kind        TEXT NOT NULL,
    old_deleted INTEGER,
    new_deleted INTEGER
  );

  -- The queue: one entry per changed row, found through _eq_row_state.pending_seq. A
  -- new change to a queued row replaces its entry with a new seq (AUTOINCREMENT never
  -- reuses one), so an upload acknowledged by the old seq leaves the newer change
  -- queued; first_seq keeps the row's place in the queue across replacements. A fold
  -- appends here and looks rows up by seq; the one secondary index holds only
  -- replaced entries (below).
  CREATE TABLE IF NOT EXISTS _eq_outbox (
    seq                   INTEGER PRIMARY KEY AUTOINCREMENT,
    table_id              INTEGER NOT NULL,
    row_id                TEXT NOT NULL,
    op                    TEXT NOT NULL,
    first_seq             INTEGER,
    awaiting_confirmation INTEGER NOT NULL DEFAULT 0,
    attempts              INTEGER NOT NULL DEFAULT 0,
    next_attempt_at       INTEGER NOT NULL DEFAULT 0,
    last_error            TEXT
  );

  -- Replaced entries in queue order, so a batch read finds them without walking the
  -- whole queue (a day offline queues hundreds of thousands of entries). Partial: a
  -- change of a row with nothing queued, the usual capture, never writes it.
  CREATE INDEX IF NOT EXISTS _eq_outbox_replaced ON _eq_outbox (first_seq, seq) WHERE first_seq IS NOT NULL;

  -- Sync state per record, and the seq of its queued change (NULL when none).
  CREATE TABLE IF NOT EXISTS _eq_row_state (
    table_id       INTEGER NOT NULL,
    row_id         TEXT NOT NULL,
    state          TEXT NOT NULL,
    server_version INTEGER,
    pending_seq    INTEGER,
    PRIMARY KEY (table_id, row_id)
  ) WITHOUT ROWID;

  -- Partial: only records in a rare state are in them, so a fold, which writes
  -- PendingUpload, never touches them, and the status counts these states without a scan.
  CREATE INDEX IF NOT EXISTS _eq_row_state_conflict ON _eq_row_state (table_id) WHERE state = 'Conflict';
  CREATE INDEX IF NOT EXISTS _eq_row_state_pending_download ON _eq_row_state (table_id) WHERE state = 'PendingDownload';

  CREATE TABLE IF NOT EXISTS _eq_conflicts (
    table_id    INTEGER NOT NULL,
    row_id      TEXT NOT NULL,
    local_row   TEXT NOT NULL,
    remote_row  TEXT NOT NULL,
    detected_at INTEGER NOT NULL,
    PRIMARY KEY (table_id, row_id)
  ) WITHOUT ROWID;

  CREATE TABLE IF NOT EXISTS _eq_cursors (
    table_id INTEGER PRIMARY KEY,
    cursor   TEXT NOT NULL
  );

  -- Holds a row only inside the engine's own apply transactions, which no other
  -- connection can see: the sync triggers skip their work while it is there.
  CREATE TABLE IF NOT EXISTS _eq_mute (
    muted INTEGER PRIMARY KEY
  );
`;

/**
 * Creates the `_eq_*` tables when missing. Idempotent.
 *
 * @example
 * db.transaction(() => createMetaTables(db)).immediate();
 */
export function createMetaTables(db: Database): void {
  db.exec(META_TABLES_SQL);
  createQuarantineTable(db);
  const meta = new StoreMeta(db);
  const layout = meta.read(META_KEYS.storeSchema);
  if (layout === undefined || Number(layout) < META_SCHEMA_VERSION) {
    // Layout 1 → 2 is the log created above: the queue and states keep their shape.
    meta.write(META_KEYS.storeSchema, String(META_SCHEMA_VERSION));
  } else if (Number(layout) > META_SCHEMA_VERSION) {
    throw new Error(`the database uses store layout ${layout}; this version of the engine knows ${META_SCHEMA_VERSION}`);
  }
  clearTriggerMute(db);
}
