import type { Database, Statement } from 'better-sqlite3';
import { limitClause, StatementCache } from './statement-cache.js';
import type { TableDirectory } from './table-directory.js';

/**
 * Most characters of a quarantined row's JSON kept: enough to see what came, bounded so
 * a hostile row cannot grow the device's database by more than this per row.
 *
 * @example
 * const cut = row.length >= QUARANTINE_ROW_CHARS; // or read QuarantinedRow.truncated
 */
export const QUARANTINE_ROW_CHARS = 64 * 1024;

/**
 * `_eq_quarantine`: pulled rows the device could not decode or apply, one entry per row
 * (the latest bad version). A row that came without a usable id has no `row_id`; it is
 * kept once per distinct text. Rowid order is arrival order, which the status lists.
 */
const QUARANTINE_TABLE_SQL = `
  CREATE TABLE IF NOT EXISTS _eq_quarantine (
    seq            INTEGER PRIMARY KEY,
    table_id       INTEGER NOT NULL,
    row_id         TEXT,
    reason         TEXT NOT NULL,
    row_json       TEXT NOT NULL,
    row_chars      INTEGER NOT NULL,
    server_version INTEGER,
    received_at    INTEGER NOT NULL
  );
  CREATE UNIQUE INDEX IF NOT EXISTS _eq_quarantine_row ON _eq_quarantine (table_id, row_id);
`;

/**
 * Creates `_eq_quarantine` when missing. Idempotent; part of the store's `_eq_*` layout.
 *
 * @example
 * db.transaction(() => createQuarantineTable(db)).immediate();
 */
export function createQuarantineTable(db: Database): void {
  db.exec(QUARANTINE_TABLE_SQL);
}

/**
 * A pulled row set aside, as the status and the list API show it.
 *
 * @example
 * for (const q of store.listQuarantined()) console.log(q.table, q.id, q.reason);
 */
export interface QuarantinedRow {
  readonly table: string;
  /** The row's id, or `null` when it came without a usable one. */
  readonly id: string | null;
  /** Why the device could not take it, naming the column where there is one. */
  readonly reason: string;
  /** When it arrived (ms since the epoch). */
  readonly receivedAt: number;
  /** The cloud's `server_version` of that version, when it carried one. */
  readonly serverVersion: number | null;
  /** The row as it came, as JSON, cut at {@link QUARANTINE_ROW_CHARS} characters. */
  readonly row: string;
  /** Whether `row` was cut. */
  readonly truncated: boolean;
}

/**
 * What to set aside: the row as it came, and why.
 *
 * @example
 * quarantine.hold(context.id, { id: 'a1', reason: 'column "qty": must be at most 10', row, serverVersion: 7, receivedAt: Date.now() });
 */
export interface QuarantineEntry {
  readonly id: string | null;
  readonly reason: string;
  readonly row: unknown;
  readonly serverVersion: number | string | null;
  readonly receivedAt: number;
}

/**
 * The owner of `_eq_quarantine`: sets pulled rows aside, releases them when a good
 * version of the same row arrives, and lists them. Callers run it inside their own
 * transaction (the page's), so a row is set aside exactly when the page is applied.
 *
 * @example
 * const quarantine = new Quarantine(db, directory);
 * quarantine.hold(context.id, { id, reason, row, serverVersion: null, receivedAt: Date.now() });
 * quarantine.release(context.id, [id]);
 */
export class Quarantine {
  private readonly upsert: Statement;
  private readonly refreshAnonymous: Statement;
  private readonly insertAnonymous: Statement;
  private readonly releaseRows: Statement<[number, string]>;
  private readonly anyOfTable: Statement<[number]>;
  private readonly statements: StatementCache;
  private readonly countRows: Statement<[string], number>;

  constructor(
    db: Database,
    private readonly tables: TableDirectory,
  ) {
    this.upsert = db.prepare(
      `INSERT INTO _eq_quarantine (table_id, row_id, reason, row_json, row_chars, server_version, received_at)
       VALUES (@table, @id, @reason, @row, @chars, @version, @at)
       ON CONFLICT (table_id, row_id) DO UPDATE SET reason = excluded.reason, row_json = excluded.row_json,
         row_chars = excluded.row_chars, server_version = excluded.server_version, received_at = excluded.received_at`,
    );
    // NULLs never collide in a unique index: a row without an id is kept once per text instead.
    this.refreshAnonymous = db.prepare(
      `UPDATE _eq_quarantine SET reason = @reason, server_version = @version, received_at = @at
        WHERE table_id = @table AND row_id IS NULL AND row_json = @row AND row_chars = @chars`,
    );
    this.insertAnonymous = db.prepare(
      `INSERT INTO _eq_quarantine (table_id, row_id, reason, row_json, row_chars, server_version, received_at)
       VALUES (@table, NULL, @reason, @row, @chars, @version, @at)`,
    );
    this.releaseRows = db.prepare(`DELETE FROM _eq_quarantine WHERE table_id = ? AND row_id IN (SELECT value FROM json_each(?))`);
    this.anyOfTable = db.prepare(`SELECT 1 FROM _eq_quarantine WHERE table_id = ? LIMIT 1`);
    // Both run at the end of every sync run (the status): prepared once (the list once per limit).
    this.statements = new StatementCache(db);
    this.countRows = db.prepare<[string], number>(`SELECT count(*) FROM _eq_quarantine WHERE table_id IN (SELECT value FROM json_each(?))`).pluck();
  }

  /** Sets a row aside (replacing an earlier bad version of the same row). */
  hold(tableId: number, entry: QuarantineEntry): void {
    const text = rowText(entry.row);
    const params = {
      table: tableId,
      reason: entry.reason,
      row: text.slice(0, QUARANTINE_ROW_CHARS),
      chars: text.length,
      version: entry.serverVersion,
      at: entry.receivedAt,
    };
    if (entry.id === null) {
      if (this.refreshAnonymous.run(params).changes === 0) this.insertAnonymous.run(params);
    } else {
      this.upsert.run({ ...params, id: entry.id });
    }
  }

  /** Removes the entries of these rows (a good version arrived); a table with none costs one lookup. */
  release(tableId: number, ids: readonly string[]): number {
    if (ids.length === 0 || this.anyOfTable.get(tableId) === undefined) return 0;
    return this.releaseRows.run(tableId, JSON.stringify(ids)).changes;
  }

  /** Rows set aside in the loaded tables, in arrival order (at most `limit`). */
  list(limit = Number.MAX_SAFE_INTEGER): QuarantinedRow[] {
    // In seq order, stopping at the limit (`+table_id`: searching the row index by table,
    // then sorting, cost ten times more even on an empty quarantine).
    const listRows = this.statements.get(
      `list:${limit}`,
      `SELECT table_id, row_id, reason, row_json, row_chars, server_version, received_at FROM _eq_quarantine
        WHERE +table_id IN (SELECT value FROM json_each(?)) ORDER BY seq ${limitClause(limit)}`,
    );
    const rows = listRows.all(this.tables.idsJson()) as {
      table_id: number;
      row_id: string | null;
      reason: string;
      row_json: string;
      row_chars: number;
      server_version: number | null;
      received_at: number;
    }[];
    return rows.map((r) => ({
      table: this.tables.byId(r.table_id)?.definition.name ?? String(r.table_id),
      id: r.row_id,
      reason: r.reason,
      receivedAt: r.received_at,
      serverVersion: r.server_version,
      row: r.row_json,
      truncated: r.row_json.length < r.row_chars,
    }));
  }

  /** How many rows of the loaded tables are set aside. */
  count(): number {
    return this.countRows.get(this.tables.idsJson()) ?? 0;
  }
}

/**
 * The row as JSON text. A field JSON cannot write out (nested thousands deep) is kept as a
 * note in its place, so the rest of the row can still be read.
 */
function rowText(row: unknown): string {
  try {
    return JSON.stringify(row) ?? String(row);
  } catch (error) {
    if (typeof row !== 'object' || row === null || Array.isArray(row)) return JSON.stringify(`<not representable as JSON: ${describe(error)}>`);
    const fields: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(row)) {
      try {
        JSON.stringify(value);
        fields[name] = value;
      } catch (fieldError) {
        fields[name] = `<not representable as JSON: ${describe(fieldError)}>`;
      }
    }
    return JSON.stringify(fields);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
