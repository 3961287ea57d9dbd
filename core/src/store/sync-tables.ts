import type { Database } from 'better-sqlite3';
import { CaptureLog } from './capture-log.js';
import { ConflictInbox } from './conflict-inbox.js';
import { OutboxQueue } from './outbox-queue.js';
import { PullCursors } from './pull-cursors.js';
import { Quarantine } from './quarantine.js';
import { RowStates } from './row-states.js';
import { StoreMeta } from './store-meta.js';
import type { TableDirectory } from './table-directory.js';
import { TriggerMute } from './trigger-mute.js';

/**
 * The owners of a store's `_eq_*` tables (see meta-tables.ts), one instance each, shared
 * by the modules that compose them (the remote applier, the engine's records, the
 * recovery ledger).
 *
 * @example
 * const { queue, rows } = openSyncTables(db, directory);
 */
export interface SyncTables {
  readonly meta: StoreMeta;
  readonly capture: CaptureLog;
  readonly queue: OutboxQueue;
  readonly rows: RowStates;
  readonly conflicts: ConflictInbox;
  readonly cursors: PullCursors;
  readonly quarantine: Quarantine;
  readonly mute: TriggerMute;
}

/**
 * Makes the owners for an open, installed database (`installSchema` ran).
 *
 * @example
 * const owners = openSyncTables(db, new TableDirectory(db, contexts));
 */
export function openSyncTables(db: Database, tables: TableDirectory): SyncTables {
  const capture = new CaptureLog(db);
  const rows = new RowStates(db, capture);
  return {
    meta: new StoreMeta(db),
    capture,
    queue: new OutboxQueue(db, tables, rows, capture),
    rows,
    conflicts: new ConflictInbox(db, tables),
    cursors: new PullCursors(db),
    quarantine: new Quarantine(db, tables),
    mute: new TriggerMute(db),
  };
}
