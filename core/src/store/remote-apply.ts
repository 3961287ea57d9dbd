import type { Database, Statement } from 'better-sqlite3';
import { compareHlc, isHlc, type HybridLogicalClock } from '../clock/index.js';
import { quoteIdentifier, type Row } from '../declarations/index.js';
import { encodePulledRow, type EncodedRow } from './pulled-row.js';
import type { SqliteValue } from './row-codec.js';
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
  private readonly upserts = new Map<string, Statement<SqliteValue[]>>();
  private lastUpsert: { table: number; columns: readonly string[]; statement: Statement<SqliteValue[]> } | undefined;
  /** Rows `screen` found good, with their encoding: a page screened before its conflicts are settled is encoded once. */
  private readonly screened = new WeakMap<object, EncodedRow>();

  constructor(
    private readonly db: Database,
    private readonly tables: TableDirectory,
    private readonly clock: HybridLogicalClock,
    private readonly tenantId: string,
    private readonly owners: SyncTables,
  ) {}

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
      let applied = 0;
      let quarantined = 0;
      let newest: string | undefined;
      const synced: [string, number | string | null][] = [];
      for (const row of rows) {
        const encoded = this.screened.get(row) ?? this.encode(context, row, receivedAt, true);
        this.screened.delete(row);
        const written = encoded === undefined ? 'quarantined' : this.write(context, row, encoded, receivedAt);
        if (written === 'quarantined') {
          quarantined += 1;
          continue;
        }
        if (written === 'changed') applied += 1;
        synced.push([String(row.id), toServerVersion(row.server_version)]);
        const updatedAt = row.updated_at;
        if (isHlc(updatedAt) && (newest === undefined || compareHlc(updatedAt, newest) > 0)) newest = updatedAt;
      }
      if (synced.length > 0) this.markSynced(context, JSON.stringify(synced));
      if (newest !== undefined) this.clock.receive(newest);
      if (cursor !== undefined) this.owners.cursors.write(context.id, cursor);
      return { applied, skipped: rows.length - applied - quarantined, quarantined };
    });
  }

  /** The cursor stored by the last `apply` of `table`, or `undefined` before the first pull. */
  readCursor(table: string): unknown {
    return this.owners.cursors.read(this.tables.byName(table).id);
  }

  /** The row's encoding, or `undefined` once it is quarantined; `release` also frees an earlier bad version (rows not screened first). */
  private encode(context: TableContext, row: unknown, receivedAt: number, release = false): EncodedRow | undefined {
    const encoded = encodePulledRow(context, row, this.tenantId);
    if ('reason' in encoded) {
      this.hold(context, row, encoded.id, encoded.reason, receivedAt);
      return undefined;
    }
    if (release) this.owners.quarantine.release(context.id, [encoded.values[0] as string]);
    return encoded;
  }

  /**
   * Upserts one encoded row: `changed`, `unchanged` (an append-only row already here), or
   * `quarantined`. A constraint it breaks (a missing NOT NULL value, a unique key)
   * quarantines it: SQLite undoes that statement alone and the page's transaction goes on.
   * A failure of the database itself (disk full, I/O) is thrown: the page is not at fault.
   */
  private write(context: TableContext, row: unknown, encoded: EncodedRow, receivedAt: number): 'changed' | 'unchanged' | 'quarantined' {
    try {
      return this.upsert(context, encoded.columns).run(...encoded.values).changes > 0 ? 'changed' : 'unchanged';
    } catch (error) {
      if (!this.db.inTransaction || !isRowError(error)) throw error;
      const reason = `cannot be stored: ${error instanceof Error ? error.message : String(error)}`;
      this.hold(context, row, encoded.values[0] as string, reason, receivedAt);
      return 'quarantined';
    }
  }

  private hold(context: TableContext, row: unknown, id: string | null, reason: string, receivedAt: number): void {
    const serverVersion = typeof row === 'object' && row !== null ? toServerVersion((row as Row).server_version) : null;
    this.owners.quarantine.hold(context.id, { id, reason, row, serverVersion, receivedAt });
  }

  private upsert(context: TableContext, columns: readonly string[]): Statement<SqliteValue[]> {
    // The rows of a page nearly always bring the same columns: reuse the last statement without building its key.
    const last = this.lastUpsert;
    if (last !== undefined && last.table === context.id && sameColumns(last.columns, columns)) return last.statement;
    const key = `${context.id}:${columns.join(',')}`;
    let statement = this.upserts.get(key);
    if (statement === undefined) {
      const names = columns.map(quoteIdentifier);
      const onConflict = context.definition.appendOnly
        ? 'DO NOTHING'
        : `DO UPDATE SET ${names.slice(1).map((name) => `${name} = excluded.${name}`).join(', ')}`;
      statement = this.db.prepare<SqliteValue[]>(
        `INSERT INTO ${quoteIdentifier(context.definition.name)} (${names.join(', ')})
         VALUES (${names.map(() => '?').join(', ')}) ON CONFLICT (id) ${onConflict}`,
      );
      this.upserts.set(key, statement);
    }
    this.lastUpsert = { table: context.id, columns, statement };
    return statement;
  }

  /**
   * Drops the queued changes and conflicts the rows supersede, then records them Synced
   * at their versions: three statements a page (`rows`: JSON `[[id, server_version], ...]`),
   * not three a row. The entries go first: they are found through the rows' states.
   */
  private markSynced(context: TableContext, rows: string): void {
    this.owners.queue.dropPulled(context.id, rows);
    this.owners.rows.markPulled(context.id, rows);
    this.owners.conflicts.clearPulled(context.id, rows);
  }
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
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}
