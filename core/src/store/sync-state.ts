import type { Row } from '../declarations/index.js';

/**
 * Where a record stands with the cloud.
 * - `Synced`: the cloud has this version.
 * - `PendingUpload`: a local change waits in the outbox.
 * - `PendingDownload`: the cloud has a newer version not yet applied.
 * - `Conflict`: both sides changed it and a person must choose (see `_eq_conflicts`).
 *
 * @example
 * if (store.rowState('clients', id) === 'Conflict') showInbox();
 */
export type SyncState = 'Synced' | 'PendingUpload' | 'PendingDownload' | 'Conflict';

/**
 * What an outbox entry carries to the cloud; coalesced edits keep the strongest one.
 *
 * @example
 * const sendable = entries.filter((entry: OutboxEntry) => entry.op !== 'delete');
 */
export type OutboxOp = 'insert' | 'update' | 'delete';

/**
 * One queued change, returned by `LocalStore.readOutboxBatch` with the row as it is now.
 *
 * @example
 * for (const entry of store.readOutboxBatch({ limit: 500 })) send(entry.table, entry.row);
 */
export interface OutboxEntry {
  /** Acknowledge with this number; a newer change to the row gets a newer one. */
  readonly seq: number;
  /**
   * Its position in change order: the seq of the record's first change still queued (a
   * newer change keeps the place of the one it replaces). With `seq`, a read's
   * {@link OutboxBatchOptions.after}.
   */
  readonly place?: number;
  readonly table: string;
  readonly id: string;
  readonly op: OutboxOp;
  readonly attempts: number;
  readonly lastError: string | undefined;
  readonly state: SyncState;
  /** The `server_version` last seen for the row, the base of this upload; `null` when the cloud never confirmed it. */
  readonly serverVersion?: number | null;
  /** The current row, system columns included, with booleans and JSON decoded. */
  readonly row: Row;
}

/**
 * The cloud's answer for one uploaded entry: its sequence number and, when the server
 * returned one, the row's new `server_version`.
 *
 * @example
 * store.ackOutbox([{ seq: 12, serverVersion: 4711 }, 13]);
 */
export interface OutboxAck {
  readonly seq: number;
  readonly serverVersion?: number | bigint;
  /** The row's table and id: with them, a version acknowledged for an entry a newer change replaced still becomes the row's base. */
  readonly table?: string;
  readonly id?: string;
}

/**
 * A local delete waiting for the user's confirmation before it is uploaded.
 *
 * @example
 * for (const d of store.listPendingDeletes()) console.log(d.table, d.id);
 */
export interface PendingDelete {
  readonly seq: number;
  readonly table: string;
  readonly id: string;
  readonly updatedAt: string | undefined;
}

/**
 * Options of `LocalStore.readOutboxBatch`.
 *
 * @example
 * store.readOutboxBatch({ table: 'clients', limit: 500, now: Date.now() });
 */
export interface OutboxBatchOptions {
  /** Only this table's entries; all synced tables when absent. */
  readonly table?: string;
  /** Defaults to 500. */
  readonly limit?: number;
  /** Entries backing off until after this time (ms) are skipped. Defaults to `Date.now()`. */
  readonly now?: number;
  /**
   * Rows whose upload is in flight: their entries, and any newer change to them, wait for
   * a later batch, which reads them with the base version that upload leaves behind.
   * Matched by id (a row of another table with the same id waits a batch too).
   */
  readonly skipRows?: readonly { readonly table: string; readonly id: string }[];
  /**
   * Only entries after this one in change order (its `place` and `seq`): the last entry
   * of the previous read, while that read's rows are in flight. They all lie at or before
   * it, and so does any newer change to them (it keeps its entry's place), so the read
   * starts where the last one stopped instead of walking past them. Such a change is read
   * by the next read without `after`.
   */
  readonly after?: { readonly place: number; readonly seq: number };
}
