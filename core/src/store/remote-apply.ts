import type { Database, Statement } from 'better-sqlite3';
import { compareHlc, isHlc, type HybridLogicalClock } from '../clock/index.js';
import { quoteIdentifier, type Row } from '../declarations/index.js';
import { encodePulledRow, type EncodedRow } from './pulled-row.js';
import type { SqliteValue } from './row-codec.js';
import type { PulledVersion } from './row-states.js';
import { toServerVersion } from './server-version.js';
import type { SyncTables } from './sync-tables.js';
import type { TableDirectory } from './table-directory.js';
import type { TableContext } from './table-registry.js';

/**
 * What `applyRemote` did with a page: rows written, rows left as they were (append-only
 * rows already here), and rows set aside in the quarantine.
 *
 * @example
 * const { applied, skipped, quarantined }: ApplyResult = store.applyRemote('clients', rows, cursor);
 */
export interface ApplyResult {
  readonly applied: number;
  readonly skipped: number;
  readonly quarantined: number;
}

/**
 * Writes rows that come from the cloud, with the change-capture triggers muted (see
 * `TriggerMute`) so they are not queued back for upload. A row the device cannot decode
 * or store goes to the quarantine with its reason, and the rest of the page is applied:
 * one bad row never stops a pull (DESIGN.md §4, Quarantine). It writes the plugins'
 * tables; the `_eq_*` tables a page touches are written by their owners (`SyncTables`).
 *
 * @example
 * const applier = new RemoteApplier(db, directory, clock, 'tenant-a', openSyncTables(db, directory));
 * applier.apply('clients', page.rows, page.cursor);
 */
export class RemoteApplier {
  /** Upsert statements by table and column set, then by the number of rows they write. */
  private readonly upserts = new Map<string, UpsertStatements>();
  private lastUpserts: UpsertStatements | undefined;
  /**
   * Runs a batch in its own savepoint: a constraint declared ON CONFLICT FAIL, or a
   * trigger's RAISE(FAIL), would otherwise leave the rows before it written.
   */
  private readonly atomically: <T>(fn: () => T) => T;
  /**
   * The last screened page's good rows, with their encoding: a page screened before its
   * conflicts are settled is encoded once. A plain map, replaced by each `screen`, holds at
   * most one page: a weak map costs the collector more than it saves.
   */
  private screened = new Map<object, EncodedRow>();

  constructor(
    private readonly db: Database,
    private readonly tables: TableDirectory,
    private readonly clock: HybridLogicalClock,
    private readonly tenantId: string,
    private readonly owners: SyncTables,
  ) {
    this.atomically = db.transaction((fn: () => unknown) => fn()) as <T>(fn: () => T) => T;
  }

  /** Runs `fn` in one transaction with the sync triggers muted; nests. */
  runMuted<T>(fn: () => T): T {
    return this.owners.mute.run(fn);
  }

  /**
   * Sets aside the rows the device cannot decode (see `encodePulledRow`) and returns the
   * others; a good row releases any earlier bad version of itself from the quarantine.
   * Run it before looking at a page's rows (conflicts, unique keys), so only rows the
   * device can read are compared with local ones.
   */
  screen(table: string, rows: readonly unknown[], receivedAt: number): Row[] {
    const context = this.tables.byName(table);
    const good: Row[] = [];
    const ids: string[] = [];
    this.screened = new Map();
    this.db.transaction(() => {
      for (const row of rows) {
        const encoded = this.encode(context, row, receivedAt);
        if (encoded === undefined) continue;
        this.screened.set(row as object, encoded);
        good.push(row as Row);
        ids.push(encoded.values[0] as string);
      }
      this.owners.quarantine.release(context.id, ids);
    })();
    return good;
  }

  /**
   * Upserts pulled rows as Synced, drops any queued change or conflict they supersede,
   * merges their clocks and stores the cursor, all in one transaction. Callers resolve
   * conflicts first: a row given here replaces the local one. Append-only tables keep
   * a row they already have. Columns not declared locally (a newer plugin version in
   * the cloud) are ignored; a row's `server_version` goes to the row state. A row that
   * cannot be decoded or stored (a constraint it breaks) is quarantined instead; the
   * cursor advances past it all the same.
   */
  apply(table: string, rows: readonly Row[], cursor?: unknown, receivedAt: number = Date.now()): ApplyResult {
    const context = this.tables.byName(table);
    return this.runMuted(() => {
      const pending: PendingWrite[] = [];
      // A good version releases any earlier bad one (screened rows were released by `screen`),
      // all at once; a bad version later in the list stays held, as one row at a time would.
      const release = new Set<string>();
      for (const row of rows) {
        const screened = this.screened.get(row);
        this.screened.delete(row);
        const encoded = screened ?? this.encode(context, row, receivedAt);
        if (encoded === undefined) {
          if (typeof (row as Row | null)?.id === 'string') release.delete(row.id as string);
          continue;
        }
        if (screened === undefined) release.add(encoded.values[0] as string);
        pending.push({ row, encoded });
      }
      this.owners.quarantine.release(context.id, [...release]);
      const { changed, stored } = this.writeAll(context, pending, receivedAt);
      let newest: string | undefined;
      const synced: PulledVersion[] = [];
      for (const row of stored) {
        synced.push([String(row.id), toServerVersion(row.server_version)]);
        const updatedAt = row.updated_at;
        if (isHlc(updatedAt) && (newest === undefined || compareHlc(updatedAt, newest) > 0)) newest = updatedAt;
      }
      if (synced.length > 0) this.markSynced(context, synced);
      if (newest !== undefined) this.clock.receive(newest);
      if (cursor !== undefined) this.owners.cursors.write(context.id, cursor);
      return { applied: changed, skipped: stored.length - changed, quarantined: rows.length - stored.length };
    });
  }

  /** The cursor stored by the last `apply` of `table`, or `undefined` before the first pull. */
  readCursor(table: string): unknown {
    return this.owners.cursors.read(this.tables.byName(table).id);
  }

  /** The row's encoding, or `undefined` once it is quarantined. */
  private encode(context: TableContext, row: unknown, receivedAt: number): EncodedRow | undefined {
    const encoded = encodePulledRow(context, row, this.tenantId);
    if ('reason' in encoded) {
      this.hold(context, row, encoded.id, encoded.reason, receivedAt);
      return undefined;
    }
    return encoded;
  }

  /**
   * Upserts encoded rows, in order, several rows a statement: how many it changed (an
   * append-only row already here is left as it was) and the rows it stored (all but those
   * quarantined). One statement a row costs far more than its row: the capture triggers
   * (muted, but there) make SQLite journal each statement on its own, and inside the
   * caller's savepoint that journal no longer fits in memory. Consecutive rows that bring
   * the same columns share a statement; a batch a row of it breaks is undone by SQLite
   * and written again row by row, so only that row is quarantined.
   */
  private writeAll(context: TableContext, pending: readonly PendingWrite[], receivedAt: number): { changed: number; stored: Row[] } {
    let changed = 0;
    const stored: Row[] = [];
    let start = 0;
    while (start < pending.length) {
      const columns = (pending[start] as PendingWrite).encoded.columns;
      let end = start + 1;
      while (end < pending.length && sameColumns((pending[end] as PendingWrite).encoded.columns, columns)) end += 1;
      const perStatement = Math.max(1, Math.min(MAX_BATCH_ROWS, Math.floor(MAX_PARAMETERS / columns.length)));
      for (let at = start; at < end; ) {
        // Full batches, then the rest in halving sizes: a handful of statements per column set, whatever the page's length.
        let size = Math.min(perStatement, end - at);
        if (size < perStatement) size = 2 ** Math.floor(Math.log2(size));
        const batch = pending.slice(at, at + size);
        const written = this.writeBatch(context, columns, batch, receivedAt);
        changed += written.changed;
        stored.push(...written.stored);
        at += size;
      }
      start = end;
    }
    return { changed, stored };
  }

  /**
   * Writes one batch. A constraint a row breaks (a missing NOT NULL value, a unique key)
   * fails its statement, which SQLite undoes alone, so the page's transaction goes on: the
   * batch is written again row by row and the row at fault quarantined. A failure of the
   * database itself (disk full, I/O) is thrown: the page is not at fault.
   */
  private writeBatch(context: TableContext, columns: readonly string[], batch: readonly PendingWrite[], receivedAt: number): { changed: number; stored: Row[] } {
    const values: SqliteValue[] = [];
    for (const { encoded } of batch) for (const value of encoded.values) values.push(value);
    const statement = this.upsert(context, columns, batch.length);
    try {
      const { changes } = this.atomically(() => statement.run(...values));
      return { changed: changes, stored: batch.map(({ row }) => row) };
    } catch (error) {
      if (!this.db.inTransaction || !isRowError(error)) throw error;
      const [one] = batch;
      if (batch.length === 1 && one !== undefined) {
        this.hold(context, one.row, one.encoded.values[0] as string, `cannot be stored: ${error instanceof Error ? error.message : String(error)}`, receivedAt);
        return { changed: 0, stored: [] };
      }
    }
    let changed = 0;
    const stored: Row[] = [];
    for (const one of batch) {
      const written = this.writeBatch(context, columns, [one], receivedAt);
      changed += written.changed;
      stored.push(...written.stored);
    }
    return { changed, stored };
  }

  private hold(context: TableContext, row: unknown, id: string | null, reason: string, receivedAt: number): void {
    const serverVersion = typeof row === 'object' && row !== null ? toServerVersion((row as Row).server_version) : null;
    this.owners.quarantine.hold(context.id, { id, reason, row, serverVersion, receivedAt });
  }

  /** The upsert of `count` rows of `columns`, prepared once per table, column set and count. */
  private upsert(context: TableContext, columns: readonly string[], count: number): Statement<SqliteValue[]> {
    // The rows of a page nearly always bring the same columns: reuse the last statements without building their key.
    let last = this.lastUpserts;
    if (last === undefined || last.table !== context.id || !sameColumns(last.columns, columns)) {
      const key = `${context.id}:${columns.join(',')}`;
      last = this.upserts.get(key);
      if (last === undefined) {
        // Each subset of columns a cloud leaves out is a statement set of its own: keep a bounded number.
        if (this.upserts.size >= MAX_COLUMN_SETS) this.upserts.clear();
        last = { table: context.id, columns, byCount: new Map() };
        this.upserts.set(key, last);
      }
      this.lastUpserts = last;
    }
    let statement = last.byCount.get(count);
    if (statement === undefined) {
      const names = columns.map(quoteIdentifier);
      const onConflict = context.definition.appendOnly
        ? 'DO NOTHING'
        : `DO UPDATE SET ${names.slice(1).map((name) => `${name} = excluded.${name}`).join(', ')}`;
      const tuple = `(${names.map(() => '?').join(', ')})`;
      statement = this.db.prepare<SqliteValue[]>(
        `INSERT INTO ${quoteIdentifier(context.definition.name)} (${names.join(', ')})
         VALUES ${Array.from({ length: count }, () => tuple).join(', ')} ON CONFLICT (id) ${onConflict}`,
      );
      last.byCount.set(count, statement);
    }
    return statement;
  }

  /**
   * Drops the queued changes and conflicts the rows supersede, then records them Synced
   * at their versions: a few statements a page, not three a row. The entries go first:
   * they are found through the rows' states.
   */
  private markSynced(context: TableContext, rows: readonly PulledVersion[]): void {
    const json = JSON.stringify(rows);
    this.owners.queue.dropPulled(context.id, json);
    this.owners.rows.markPulled(context.id, rows);
    this.owners.conflicts.clearPulled(context.id, json);
  }
}

/**
 * Rows an upsert statement writes at most, and the parameters it binds at most: the
 * oldest SQLite a device may run binds at most 999. Past a few dozen rows a statement,
 * larger batches gain nothing.
 */
const MAX_BATCH_ROWS = 128;
const MAX_PARAMETERS = 999;
/** Column sets whose upserts stay prepared: a set per table nearly always, a few when rows leave columns out. */
const MAX_COLUMN_SETS = 64;

/** A pulled row the store can take, with its encoding, waiting to be written. */
interface PendingWrite {
  readonly row: Row;
  readonly encoded: EncodedRow;
}

interface UpsertStatements {
  readonly table: number;
  readonly columns: readonly string[];
  readonly byCount: Map<number, Statement<SqliteValue[]>>;
}

/**
 * Errors of one row's statement, which SQLite undoes alone: a constraint (NOT NULL,
 * UNIQUE, CHECK, a trigger's RAISE), a value too big, or a value better-sqlite3 cannot
 * bind. Anything else (disk full, I/O, a lock) is the database's, not the row's.
 */
function isRowError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return error instanceof TypeError || error instanceof RangeError;
  return code.startsWith('SQLITE_CONSTRAINT') || code === 'SQLITE_MISMATCH' || code === 'SQLITE_TOOBIG';
}

function sameColumns(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}
