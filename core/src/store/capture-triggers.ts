import { quoteIdentifier, type TableDefinition } from '../declarations/index.js';
import { advanceHlcSql, CURRENT_HLC_SQL, NOT_MUTED_SQL, TENANT_ID_SQL } from './sql-expressions.js';

/**
 * The change-capture triggers of one uploadable table, as CREATE TRIGGER statements:
 * the detect stage, the only writer of `_eq_outbox` and `_eq_row_state` beside their
 * owners (`OutboxQueue`, `RowStates`), since a change must be recorded in the writer's
 * own transaction, whichever connection writes.
 *
 * Rules they keep, whoever writes (this process, or a host app on its own connection):
 * - a change queues one outbox entry per row; a newer change replaces it with a new
 *   `seq` (an ack of the old seq then cannot drop it) but keeps its `first_seq`;
 * - the row state becomes PendingUpload (a Conflict stays one until resolved) and
 *   points at the entry (`pending_seq`), which is how the entry is found again;
 * - a row written without `tenant_id` or without a new `updated_at` is stamped with the
 *   store's tenant and the next clock value;
 * - DELETE keeps the row as a tombstone (`deleted = 1`) awaiting confirmation.
 * Nothing fires while the engine applies pulled rows (the `_eq_mute` flag).
 *
 * Entries are replaced by insert-then-delete and the state by an UPSERT, never by
 * `INSERT OR REPLACE`: an outer `INSERT OR IGNORE` or `UPDATE OR ABORT` overrides a
 * trigger's OR-clause, but not an UPSERT and not a statement that cannot conflict.
 * Each table gets as few triggers as possible, since each firing has a fixed cost.
 *
 * @example
 * for (const sql of syncTriggerSql(definition, 3)) db.exec(sql);
 */
export function syncTriggerSql(table: TableDefinition, tableId: number): string[] {
  const t = quoteIdentifier(table.name);
  const k = String(tableId);
  const name = (suffix: string): string => `"_eq_${table.name}_${suffix}"`;
  const pending = `(SELECT pending_seq FROM _eq_row_state WHERE table_id = ${k} AND row_id = NEW.id)`;
  const queued = (column: string): string => `(SELECT ${column} FROM _eq_outbox WHERE seq = ${pending})`;
  // Runs right after the new entry's INSERT, while last_insert_rowid() is its seq.
  const replaceEntry = `
    DELETE FROM _eq_outbox WHERE seq = ${pending};
    INSERT INTO _eq_row_state (table_id, row_id, state, pending_seq) VALUES (${k}, NEW.id, 'PendingUpload', last_insert_rowid())
      ON CONFLICT (table_id, row_id) DO UPDATE SET pending_seq = excluded.pending_seq,
        state = CASE state WHEN 'Conflict' THEN 'Conflict' ELSE 'PendingUpload' END;`;

  // The writer did not bring a new clock value (or blanked it).
  const stale = 'NEW.updated_at IS OLD.updated_at OR NEW.updated_at IS NULL';

  const triggers = [
    // The stamp's UPDATE fires the update trigger, which queues an entry; the INSERT
    // below then replaces it, so the row still ends with one entry, an 'insert'.
    `CREATE TRIGGER ${name('ai')} AFTER INSERT ON ${t} WHEN ${NOT_MUTED_SQL} BEGIN
    ${advanceHlcSql('NEW.updated_at IS NULL')}
    UPDATE ${t} SET tenant_id = coalesce(NEW.tenant_id, ${TENANT_ID_SQL}),
                    updated_at = coalesce(NEW.updated_at, ${CURRENT_HLC_SQL})
      WHERE id = NEW.id AND (NEW.updated_at IS NULL OR NEW.tenant_id IS NULL);
    INSERT INTO _eq_outbox (table_id, row_id, op) VALUES (${k}, NEW.id, 'insert');${replaceEntry}
  END`,

    // An update that did not bring a new clock value gets one, so last-write-wins sees
    // plain-SQL edits as new. A tombstone is queued as 'delete' and held until
    // confirmed; bringing the row back (deleted = 0) releases it as an ordinary update.
    `CREATE TRIGGER ${name('au')} AFTER UPDATE ON ${t} WHEN ${NOT_MUTED_SQL} BEGIN
    ${advanceHlcSql(stale)}
    UPDATE ${t} SET updated_at = ${CURRENT_HLC_SQL} WHERE id = NEW.id AND (${stale});
    INSERT INTO _eq_outbox (table_id, row_id, op, first_seq, awaiting_confirmation) VALUES (${k}, NEW.id,
      CASE WHEN NEW.deleted = 1 THEN 'delete' WHEN ${queued('op')} = 'insert' THEN 'insert' ELSE 'update' END,
      ${queued('coalesce(first_seq, seq)')},
      CASE WHEN NEW.deleted = 0 THEN 0 WHEN OLD.deleted = 0 THEN 1 ELSE coalesce(${queued('awaiting_confirmation')}, 1) END);${replaceEntry}
  END`,
  ];
  if (!table.appendOnly) {
    // SQLite cannot turn a DELETE into an UPDATE after the fact, so the BEFORE trigger
    // writes the tombstone and RAISE(IGNORE) skips the removal (keeping the UPDATE).
    triggers.push(`CREATE TRIGGER ${name('bd_tombstone')} BEFORE DELETE ON ${t} WHEN ${NOT_MUTED_SQL} BEGIN
    UPDATE ${t} SET deleted = 1 WHERE id = OLD.id AND deleted = 0;
    SELECT RAISE(IGNORE);
  END`);
  }
  return triggers;
}
