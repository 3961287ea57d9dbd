import type { Database, Statement } from 'better-sqlite3';
import { compareHlc, isHlc, type HybridLogicalClock } from '../clock/index.js';
import { quoteIdentifier, type Row } from '../declarations/index.js';
import { encodeValue, type SqliteValue } from './row-codec.js';
import { StoreError } from './store-error.js';
import type { TableDirectory } from './table-directory.js';
import type { TableContext } from './table-registry.js';

/**
 * What `applyRemote` did with a page: rows written, and rows left as they were (append-only rows already here).
 *
 * @example
 * const { applied, skipped }: ApplyResult = store.applyRemote('clients', rows, cursor);
 */
export interface ApplyResult {
  readonly applied: number;
  readonly skipped: number;
}

/**
 * Writes rows that come from the cloud, with the change-capture triggers muted so they
 * are not queued back for upload. The mute flag is a row in `_eq_mute` written and
 * removed inside the same transaction, so no other connection ever sees it.
 *
 * @example
 * const applier = new RemoteApplier(db, directory, clock, 'tenant-a');
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

  constructor(
    private readonly db: Database,
    private readonly tables: TableDirectory,
    private readonly clock: HybridLogicalClock,
    private readonly tenantId: string,
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
   * Upserts pulled rows as Synced, drops any queued change or conflict they supersede,
   * merges their clocks and stores the cursor, all in one transaction. Callers resolve
   * conflicts first: a row given here replaces the local one. Append-only tables keep
   * a row they already have. Columns not declared locally (a newer plugin version in
   * the cloud) are ignored; a row's `server_version` goes to the row state.
   */
  apply(table: string, rows: readonly Row[], cursor?: unknown): ApplyResult {
    const context = this.tables.byName(table);
    return this.runMuted(() => {
      let applied = 0;
      let newest: string | undefined;
      const synced: [string, number | string | null][] = [];
      for (const row of rows) {
        const { columns, values } = this.encode(context, row);
        applied += this.write(context, columns, values) ? 1 : 0;
        synced.push([values[0] as string, toServerVersion(row.server_version)]);
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
      return { applied, skipped: rows.length - applied };
    });
  }

  /** The cursor stored by the last `apply` of `table`, or `undefined` before the first pull. */
  readCursor(table: string): unknown {
    const text = this.db.prepare(`SELECT cursor FROM _eq_cursors WHERE table_id = ?`).pluck().get(this.tables.byName(table).id);
    return typeof text === 'string' ? JSON.parse(text) : undefined;
  }

  private encode(context: TableContext, row: Row): { columns: string[]; values: SqliteValue[] } {
    const { definition } = context;
    if (typeof row.id !== 'string' || row.id === '') {
      throw new StoreError(`table "${definition.name}": a pulled row has no id`);
    }
    if (typeof row.updated_at !== 'string') {
      throw new StoreError(`table "${definition.name}": pulled row "${row.id}" has no updated_at`);
    }
    // A tombstone flag that is neither true nor false must not read as "alive": that would resurrect a deleted row.
    if (row.deleted !== undefined && row.deleted !== true && row.deleted !== false && row.deleted !== 1 && row.deleted !== 0) {
      throw new StoreError(`table "${definition.name}": pulled row "${row.id}": deleted is ${JSON.stringify(row.deleted)}, not a boolean`);
    }
    const tenant = typeof row.tenant_id === 'string' ? row.tenant_id : this.tenantId;
    const columns = ['id', 'tenant_id', 'updated_at', 'deleted'];
    const values: SqliteValue[] = [row.id, tenant, row.updated_at, row.deleted === true || row.deleted === 1 ? 1 : 0];
    for (const column of definition.columns) {
      if (row[column.name] === undefined) continue;
      columns.push(column.name);
      try {
        values.push(encodeValue(definition, column, row[column.name]));
      } catch (error) {
        throw pulledRowError(definition.name, row.id, error);
      }
    }
    return { columns, values };
  }

  /** Upserts one encoded row; a constraint it breaks (a missing NOT NULL value, a unique key) names the row. */
  private write(context: TableContext, columns: readonly string[], values: readonly SqliteValue[]): boolean {
    try {
      return this.upsert(context, columns).run(...values).changes > 0;
    } catch (error) {
      throw pulledRowError(context.definition.name, String(values[0]), error);
    }
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

/** A page that cannot be stored is refused whole; the error says which row and why, so the bad data can be found. */
function pulledRowError(table: string, id: string, error: unknown): StoreError {
  const reason = error instanceof Error ? error.message : String(error);
  return new StoreError(`table "${table}": pulled row "${id}" cannot be stored: ${reason}`, { cause: error });
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
