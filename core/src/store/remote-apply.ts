import type { Database, Statement } from 'better-sqlite3';
import { compareHlc, isHlc, type HybridLogicalClock } from '../clock/index.js';
import { quoteIdentifier, type Row } from '../declarations/index.js';
import { encodePulledRow, type EncodedRow } from './pulled-row.js';
import type { Quarantine } from './quarantine.js';
import type { SqliteValue } from './row-codec.js';
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
 * Writes rows that come from the cloud, with the change-capture triggers muted so they
 * are not queued back for upload. The mute flag is a row in `_eq_mute` written and
 * removed inside the same transaction, so no other connection ever sees it. A row the
 * device cannot decode or store goes to the quarantine with its reason, and the rest of
 * the page is applied: one bad row never stops a pull (DESIGN.md §4, Quarantine).
 *
 * @example
 * const applier = new RemoteApplier(db, directory, clock, 'tenant-a', quarantine);
 * applier.apply('clients', page.rows, page.cursor);
 */
export class RemoteApplier {
  private depth = 0;
  private readonly upserts = new Map<string, Statement<SqliteValue[]>>();
  private lastUpsert: { table: number; columns: readonly string[]; statement: Statement<SqliteValue[]> } | undefined;
  // Each takes the table id and a page's rows as JSON [[id, server_version], ...]: three statements a page, not three a row.
  private readonly synced: Statement<[{ table: number; rows: string }]>;
  private readonly dropQueued: Statement<[{ table: number; rows: string }]>;
  private readonly dropConflict: Statement<[{ table: number; rows: string }]>;
  private readonly anyQueued: Statement<[]>;
  private readonly anyConflict: Statement<[number]>;
  /** Rows `screen` found good, with their encoding: a page screened before its conflicts are settled is encoded once. */
  private readonly screened = new WeakMap<object, EncodedRow>();

  constructor(
    private readonly db: Database,
    private readonly tables: TableDirectory,
    private readonly clock: HybridLogicalClock,
    private readonly tenantId: string,
    private readonly quarantine: Quarantine,
  ) {
    // In array order, so a row given twice ends with its last version, as one by one.
    this.synced = db.prepare(
      `INSERT INTO _eq_row_state (table_id, row_id, state, server_version)
       SELECT @table, j.value ->> 0, 'Synced', CAST(j.value ->> 1 AS INTEGER) FROM json_each(@rows) AS j WHERE true
       ON CONFLICT (table_id, row_id) DO UPDATE SET state = 'Synced', pending_seq = NULL,
         server_version = coalesce(excluded.server_version, server_version)`,
    );
    this.dropQueued = db.prepare(
      // IN lists rather than a join: with a join the planner may walk all the table's records and the list for each.
      `DELETE FROM _eq_outbox WHERE seq IN (
         SELECT pending_seq FROM _eq_row_state
          WHERE table_id = @table AND row_id IN (SELECT value ->> 0 FROM json_each(@rows)) AND pending_seq IS NOT NULL)`,
    );
    this.dropConflict = db.prepare(`DELETE FROM _eq_conflicts WHERE table_id = @table AND row_id IN (SELECT value ->> 0 FROM json_each(@rows))`);
    this.anyQueued = db.prepare(`SELECT 1 FROM _eq_outbox LIMIT 1`);
    this.anyConflict = db.prepare(`SELECT 1 FROM _eq_conflicts WHERE table_id = ? LIMIT 1`);
  }

  /** Runs `fn` in one transaction with the sync triggers muted; nests. */
  runMuted<T>(fn: () => T): T {
    return this.db.transaction(() => {
      if (this.depth++ === 0) this.db.prepare(`INSERT OR IGNORE INTO _eq_mute (muted) VALUES (1)`).run();
      try {
        return fn();
      } finally {
        if (--this.depth === 0) this.db.prepare(`DELETE FROM _eq_mute`).run();
      }
    }).immediate();
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
      this.quarantine.release(context.id, ids);
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
      if (cursor !== undefined) {
        this.db
          .prepare(`INSERT INTO _eq_cursors (table_id, cursor) VALUES (?, ?) ON CONFLICT (table_id) DO UPDATE SET cursor = excluded.cursor`)
          .run(context.id, JSON.stringify(cursor));
      }
      return { applied, skipped: rows.length - applied - quarantined, quarantined };
    });
  }

  /** The cursor stored by the last `apply` of `table`, or `undefined` before the first pull. */
  readCursor(table: string): unknown {
    const text = this.db.prepare(`SELECT cursor FROM _eq_cursors WHERE table_id = ?`).pluck().get(this.tables.byName(table).id);
    return typeof text === 'string' ? JSON.parse(text) : undefined;
  }

  /** The row's encoding, or `undefined` once it is quarantined; `release` also frees an earlier bad version (rows not screened first). */
  private encode(context: TableContext, row: unknown, receivedAt: number, release = false): EncodedRow | undefined {
    const encoded = encodePulledRow(context, row, this.tenantId);
    if ('reason' in encoded) {
      this.hold(context, row, encoded.id, encoded.reason, receivedAt);
      return undefined;
    }
    if (release) this.quarantine.release(context.id, [encoded.values[0] as string]);
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
    this.quarantine.hold(context.id, { id, reason, row, serverVersion, receivedAt });
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
   * at their versions. A device with nothing queued, or no conflict in this table (an
   * initial sync, most pulls), skips the lookups of each row in those tables.
   */
  private markSynced(context: TableContext, rows: string): void {
    const page = { table: context.id, rows };
    if (this.anyQueued.get() !== undefined) this.dropQueued.run(page);
    this.synced.run(page);
    if (this.anyConflict.get(context.id) !== undefined) this.dropConflict.run(page);
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

// PostgREST sends bigints as numbers or, past 2^53, as digit strings; the digits go into the JSON as they came.
function toServerVersion(value: unknown): number | string | null {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return String(value);
  return typeof value === 'string' && /^\d+$/.test(value) ? value : null;
}
