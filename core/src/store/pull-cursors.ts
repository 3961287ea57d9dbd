import type { Database, Statement } from 'better-sqlite3';

/**
 * The owner of `_eq_cursors`: where each table's pull resumes. A cursor is the cloud's
 * own value (`{ txid, server_version }` today), kept as JSON text and read back as it
 * was written; this class is the only place that encodes or decodes it.
 *
 * @example
 * const cursors = new PullCursors(db);
 * cursors.write(tableId, { txid: '7313', server_version: 52 });
 * cursors.read(tableId); // { txid: '7313', server_version: 52 }
 */
export class PullCursors {
  private readonly readOne: Statement<[number], string>;
  private readonly upsert: Statement<[number, string]>;
  private readonly remove: Statement<[number]>;
  private readonly readAll: Statement<[], string>;

  constructor(db: Database) {
    this.readOne = db.prepare<[number], string>(`SELECT cursor FROM _eq_cursors WHERE table_id = ?`).pluck();
    this.upsert = db.prepare(`INSERT INTO _eq_cursors (table_id, cursor) VALUES (?, ?) ON CONFLICT (table_id) DO UPDATE SET cursor = excluded.cursor`);
    this.remove = db.prepare(`DELETE FROM _eq_cursors WHERE table_id = ?`);
    this.readAll = db.prepare<[], string>(`SELECT cursor FROM _eq_cursors`).pluck();
  }

  /** The table's cursor, or `undefined` before its first pull (or after a reset). */
  read(tableId: number): unknown {
    const text = this.readOne.get(tableId);
    return typeof text === 'string' ? JSON.parse(text) : undefined;
  }

  write(tableId: number, cursor: unknown): void {
    this.upsert.run(tableId, JSON.stringify(cursor));
  }

  /** Forgets the table's cursor: its next pull reads it from the start. */
  reset(tableId: number): void {
    this.remove.run(tableId);
  }

  /** The largest transaction id among the stored cursors, or `undefined` before any pull. */
  largestTxid(): bigint | undefined {
    let largest: bigint | undefined;
    for (const text of this.readAll.all()) {
      const txid = (JSON.parse(text) as { txid?: unknown } | null)?.txid;
      if (typeof txid !== 'string' || !/^\d{1,20}$/.test(txid)) continue;
      const value = BigInt(txid);
      if (largest === undefined || value > largest) largest = value;
    }
    return largest;
  }
}
