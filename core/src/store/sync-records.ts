import type { Database, Statement } from 'better-sqlite3';
import { quoteIdentifier, type Row } from '../declarations/index.js';
import type { ConflictInbox, ConflictRecord } from './conflict-inbox.js';
import type { FailedEntry, OutboxQueue, WaitingEntry } from './outbox-queue.js';
import { RecoveryLedger } from './recovery-ledger.js';
import { encodeValue, type SqliteValue } from './row-codec.js';
import type { RecordSyncInfo, RowStates } from './row-states.js';
import { TENANT_ID_SQL } from './sql-expressions.js';
import type { SyncTables } from './sync-tables.js';
import type { SyncState } from './sync-state.js';
import type { TableDirectory } from './table-directory.js';
import type { TableContext } from './table-registry.js';

/**
 * The engine's bookkeeping beside the queue, by table name: base versions, the conflict
 * inbox, entries that wait (refused ones backing off, or ones held behind them), and the
 * recovery ledger. It writes no `_eq_*` table itself: each has one owner (see
 * meta-tables.ts), which this asks.
 *
 * @example
 * const records = new SyncRecords(db, directory, openSyncTables(db, directory));
 * records.recordConflict('notes', id, localRow, remoteRow, Date.now());
 */
export class SyncRecords {
  private readonly collisionLookups = new Map<string, Statement>();
  private readonly queue: OutboxQueue;
  private readonly rows: RowStates;
  private readonly conflicts: ConflictInbox;
  /** The device's side of recovery and `reconcile`. */
  readonly ledger: RecoveryLedger;

  constructor(
    private readonly db: Database,
    private readonly tables: TableDirectory,
    owners: SyncTables,
  ) {
    this.queue = owners.queue;
    this.rows = owners.rows;
    this.conflicts = owners.conflicts;
    this.ledger = new RecoveryLedger(db, owners);
  }

  info(table: string, ids: readonly string[]): Map<string, RecordSyncInfo> {
    return this.rows.info(this.tables.byName(table).id, ids);
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
          .prepare(`SELECT id FROM ${quoteIdentifier(table)} WHERE deleted = 0 AND tenant_id = coalesce(?, ${TENANT_ID_SQL}) AND id <> ? AND ${where}`)
          .pluck();
        this.collisionLookups.set(key, lookup);
      }
      const tenant = typeof row.tenant_id === 'string' ? row.tenant_id : null;
      const ids = lookup.all(tenant, String(row.id), ...index.columns.map((column) => storedKey(context, column, row[column]))) as string[];
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
      this.queue.dropPending(context.id, id);
      this.rows.markSetAside(context.id, id);
    })();
  }

  /** Sets the version the next upload of the record builds on (the local side won over it). */
  rebase(table: string, id: string, serverVersion: number | string | null, state?: SyncState): void {
    this.rows.rebase(this.tables.byName(table).id, id, serverVersion, state);
  }

  /** Holds an entry until `until` (ms) with a reason, without counting an attempt: it is not at fault. */
  defer(seq: number, reason: string, until: number): void {
    this.queue.defer(seq, reason, until);
  }

  /** Entries of `table` not ready before `now`, with their rows. */
  waiting(table: string, now: number): WaitingEntry[] {
    return this.queue.waiting(table, now);
  }

  /** Files both versions in the inbox; the record waits in state Conflict. */
  recordConflict(table: string, id: string, local: Row, remote: Row, at: number): void {
    const { id: tableId } = this.tables.byName(table);
    this.conflicts.record(tableId, id, local, remote, at);
    this.rows.markConflict(tableId, id);
  }

  /** The `server_version` of the cloud's row in a record's filed conflict, if one is filed. */
  conflictRemoteVersion(table: string, id: string): number | undefined {
    return this.conflicts.remoteVersion(this.tables.byName(table).id, id);
  }

  listConflicts(): ConflictRecord[] {
    return this.conflicts.list();
  }

  clearConflict(table: string, id: string): void {
    this.conflicts.clear(this.tables.byName(table).id, id);
  }

  failed(limit: number): FailedEntry[] {
    return this.queue.failed(limit);
  }

  /** Records in `state`, counted from an index for the rare states. */
  countState(state: SyncState): number {
    return this.rows.count(state, this.tables.idsJson());
  }

  /** The newest queued change's seq: it moves whenever any connection changes a synced row. */
  newestChange(): number {
    return this.queue.newestSeq();
  }
}

/** A unique key's value as the table stores it (the row codec's encoding), to compare with stored keys. */
function storedKey(context: TableContext, name: string, value: unknown): SqliteValue {
  const column = context.columns.get(name);
  return column === undefined ? (value as SqliteValue) : encodeValue(context.definition, column, value);
}
