import { quoteIdentifier, type TableDefinition } from '../declarations/index.js';
import { advanceHlcSql, CURRENT_HLC_SQL, NOT_MUTED_SQL, TENANT_ID_SQL } from './sql-expressions.js';

/**
 * The change-capture triggers of one uploadable table, as CREATE TRIGGER statements:
 * the detect stage. A change must be recorded in the writer's own transaction, whichever
 * connection writes, so they are SQL; and since every write pays for them, each one only
 * appends a step to `_eq_capture` (the table, the row, insert or update, and whether the
 * row was and is a tombstone). `CaptureLog.fold` turns the steps into the queue's entries
 * and the records' states before anything reads those, by these rules:
 * - a change queues one outbox entry per row; a newer change replaces it with a new
 *   `seq` (an ack of the old seq then cannot drop it) but keeps its place (`first_seq`);
 * - the row state becomes PendingUpload (a Conflict stays one until resolved) and
 *   points at the entry (`pending_seq`), which is how the entry is found again;
 * - an insert stays an insert through later edits until uploaded; an update that leaves
 *   a tombstone is a delete, held until confirmed; bringing the row back (deleted = 0)
 *   releases it as an ordinary update.
 * What the triggers do to the row itself stays here, in the write: a row written without
 * `tenant_id` or without a new `updated_at` is stamped with the store's tenant and the
 * next clock value (so last-write-wins sees plain-SQL edits as new), and DELETE keeps the
 * row as a tombstone (`deleted = 1`). Nothing fires while the engine applies pulled rows
 * (the `_eq_mute` flag). Each table gets as few triggers as possible, since each firing
 * has a fixed cost.
 *
 * @example
 * for (const sql of syncTriggerSql(definition, 3)) db.exec(sql);
 */
export function syncTriggerSql(table: TableDefinition, tableId: number): string[] {
  const t = quoteIdentifier(table.name);
  const k = String(tableId);
  const name = (suffix: string): string => `"_eq_${table.name}_${suffix}"`;

  // The writer did not bring a new clock value (or blanked it).
  const stale = 'NEW.updated_at IS OLD.updated_at OR NEW.updated_at IS NULL';

  const logStep = (kind: string, oldDeleted: string): string =>
    `INSERT INTO _eq_capture (table_id, row_id, kind, old_deleted, new_deleted) VALUES (${k}, NEW.id, '${kind}', ${oldDeleted}, NEW.deleted);`;

  // One trigger per event: each firing costs about as much as the append itself, so the
  // stamps are statements whose conditions (on NEW and OLD only) SQLite checks before
  // touching any table, rather than triggers of their own.
  const triggers = [
    // The stamp's UPDATE fires the update trigger, which logs one more step of the row;
    // the fold reads an insert followed by edits as an insert.
    `CREATE TRIGGER ${name('ai')} AFTER INSERT ON ${t} WHEN ${NOT_MUTED_SQL} BEGIN
    ${advanceHlcSql('NEW.updated_at IS NULL')}
    UPDATE ${t} SET tenant_id = coalesce(NEW.tenant_id, ${TENANT_ID_SQL}),
                    updated_at = coalesce(NEW.updated_at, ${CURRENT_HLC_SQL})
      WHERE id = NEW.id AND (NEW.updated_at IS NULL OR NEW.tenant_id IS NULL);
    ${logStep('insert', 'NULL')}
  END`,

    // The writer's own step is logged even when the stamp's UPDATE logs another: it alone
    // says whether this write turned a live row into a tombstone (a delete to hold).
    `CREATE TRIGGER ${name('au')} AFTER UPDATE ON ${t} WHEN ${NOT_MUTED_SQL} BEGIN
    ${advanceHlcSql(stale)}
    UPDATE ${t} SET updated_at = ${CURRENT_HLC_SQL} WHERE id = NEW.id AND (${stale});
    ${logStep('update', 'OLD.deleted')}
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
