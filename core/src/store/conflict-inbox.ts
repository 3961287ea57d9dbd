import type { Database, Statement } from 'better-sqlite3';
import type { Row } from '../declarations/index.js';
import type { TableDirectory } from './table-directory.js';

/**
 * Both versions of a record a person has to choose between.
 *
 * @example
 * for (const c of engine.listConflicts()) console.log(c.table, c.id, c.local.name, c.remote.name);
 */
export interface ConflictRecord {
  readonly table: string;
  readonly id: string;
  readonly local: Row;
  readonly remote: Row;
  readonly detectedAt: number;
}

/**
 * The owner of `_eq_conflicts`, the conflict inbox: both versions of each record a person
 * must choose between, one entry per record (the latest meeting). The rows are kept as
 * JSON of their application values (booleans and JSON columns decoded), written and read
 * back here only. The record's state (`Conflict`) is the row states' to keep.
 *
 * @example
 * const inbox = new ConflictInbox(db, directory);
 * inbox.record(context.id, id, localRow, remoteRow, Date.now());
 * inbox.list(); // [{ table: 'notes', id, local, remote, detectedAt }]
 */
export class ConflictInbox {
  private readonly upsert: Statement<[number, string, string, string, number]>;
  private readonly remove: Statement<[number, string]>;
  private readonly removeRows: Statement<[{ table: number; rows: string }]>;
  private readonly anyOfTable: Statement<[number]>;
  private readonly remoteVersionOf: Statement<[number, string], unknown>;

  constructor(
    private readonly db: Database,
    private readonly tables: TableDirectory,
  ) {
    this.upsert = db.prepare(
      `INSERT INTO _eq_conflicts (table_id, row_id, local_row, remote_row, detected_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (table_id, row_id) DO UPDATE SET local_row = excluded.local_row, remote_row = excluded.remote_row, detected_at = excluded.detected_at`,
    );
    this.remove = db.prepare(`DELETE FROM _eq_conflicts WHERE table_id = ? AND row_id = ?`);
    this.removeRows = db.prepare(`DELETE FROM _eq_conflicts WHERE table_id = @table AND row_id IN (SELECT value ->> 0 FROM json_each(@rows))`);
    this.anyOfTable = db.prepare(`SELECT 1 FROM _eq_conflicts WHERE table_id = ? LIMIT 1`);
    this.remoteVersionOf = db.prepare<[number, string], unknown>(`SELECT remote_row ->> 'server_version' FROM _eq_conflicts WHERE table_id = ? AND row_id = ?`).pluck();
  }

  /** The `server_version` of the cloud's row filed with a record's conflict, if one is filed. */
  remoteVersion(tableId: number, id: string): number | undefined {
    const version = this.remoteVersionOf.get(tableId, id);
    return typeof version === 'number' ? version : typeof version === 'string' && /^\d+$/.test(version) ? Number(version) : undefined;
  }

  /** Files both versions of a record (replacing an earlier entry of it). */
  record(tableId: number, id: string, local: Row, remote: Row, at: number): void {
    this.upsert.run(tableId, id, JSON.stringify(local), JSON.stringify(remote), at);
  }

  /** The entries of the loaded tables, oldest first. */
  list(): ConflictRecord[] {
    const rows = this.db
      .prepare(
        `SELECT table_id, row_id, local_row, remote_row, detected_at FROM _eq_conflicts
          WHERE table_id IN (SELECT value FROM json_each(?)) ORDER BY detected_at, row_id`,
      )
      .all(this.tables.idsJson()) as { table_id: number; row_id: string; local_row: string; remote_row: string; detected_at: number }[];
    return rows.map((r) => ({
      table: this.tables.byId(r.table_id)?.definition.name ?? String(r.table_id),
      id: r.row_id,
      local: JSON.parse(r.local_row) as Row,
      remote: JSON.parse(r.remote_row) as Row,
      detectedAt: r.detected_at,
    }));
  }

  /** Removes a record's entry (settled). */
  clear(tableId: number, id: string): void {
    this.remove.run(tableId, id);
  }

  /**
   * Removes the entries of pulled rows that replace the local ones (`rows`: JSON
   * `[[id, …], ...]`). A table with no entry, the usual case, costs one lookup.
   */
  clearPulled(tableId: number, rows: string): void {
    if (this.anyOfTable.get(tableId) !== undefined) this.removeRows.run({ table: tableId, rows });
  }
}
