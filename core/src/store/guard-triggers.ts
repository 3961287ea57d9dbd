import { quoteIdentifier, type TableDefinition } from '../declarations/index.js';
import { sqlLiteral } from './sqlite-columns.js';
import { NOT_MUTED_SQL } from './sql-expressions.js';

/**
 * Triggers that refuse writes a table's declaration forbids. The engine's own apply
 * path is muted and passes, so pulled rows still arrive.
 * - every table: a row's `id` never changes (the outbox and the cloud know it by id);
 * - download-only: no local INSERT, UPDATE or DELETE;
 * - append-only: DELETE (and flipping `deleted`) and UPDATE always refused — even before
 *   the first upload, since an edit racing an in-flight upload would reach the cloud as a
 *   `duplicate` and be lost; only the stamp the triggers give a fresh plain-SQL insert
 *   passes; replacing an existing row through `INSERT OR REPLACE` refused.
 *
 * @example
 * for (const sql of guardTriggerSql(definition)) db.exec(sql);
 */
export function guardTriggerSql(table: TableDefinition): string[] {
  const t = quoteIdentifier(table.name);
  const name = (suffix: string): string => `"_eq_${table.name}_${suffix}"`;
  // A string literal only: SQLite before 3.48 refuses any other RAISE message when it
  // parses the schema, and the file would not open at all there. So the message names
  // the table (known now) but not the row; the scoped store adds the row id (see scoped-store.ts).
  const refuse = (message: string): string => `SELECT RAISE(ABORT, ${sqlLiteral(message)});`;
  const triggers = [
    `CREATE TRIGGER ${name('bu_id')} BEFORE UPDATE OF id ON ${t} WHEN NEW.id IS NOT OLD.id BEGIN
    ${refuse(`table "${table.name}": the id of a row cannot change`)}
  END`,
  ];
  if (table.direction === 'download-only') {
    for (const [event, suffix] of [['INSERT', 'bi'], ['UPDATE', 'bu'], ['DELETE', 'bd']] as const) {
      triggers.push(`CREATE TRIGGER ${name(`${suffix}_download_only`)} BEFORE ${event} ON ${t} WHEN ${NOT_MUTED_SQL} BEGIN
    ${refuse(`download-only table "${table.name}": local ${event} is refused; its rows come from the cloud`)}
  END`);
    }
    return triggers;
  }
  if (table.appendOnly) {
    const prefix = `append-only table "${table.name}":`;
    triggers.push(
      `CREATE TRIGGER ${name('bd_append_only')} BEFORE DELETE ON ${t} WHEN ${NOT_MUTED_SQL} BEGIN
    ${refuse(`${prefix} a row cannot be deleted`)}
  END`,
      `CREATE TRIGGER ${name('bu_append_only')} BEFORE UPDATE ON ${t}
    WHEN ${NOT_MUTED_SQL} AND OLD.updated_at IS NOT NULL AND OLD.tenant_id IS NOT NULL
    BEGIN
    ${refuse(`${prefix} a row cannot be updated`)}
  END`,
      `CREATE TRIGGER ${name('bu_append_only_delete')} BEFORE UPDATE OF deleted ON ${t}
    WHEN ${NOT_MUTED_SQL} AND NEW.deleted IS NOT OLD.deleted BEGIN
    ${refuse(`${prefix} a row cannot be deleted`)}
  END`,
      `CREATE TRIGGER ${name('bi_append_only')} BEFORE INSERT ON ${t}
    WHEN ${NOT_MUTED_SQL} AND EXISTS (SELECT 1 FROM ${t} WHERE id = NEW.id) BEGIN
    ${refuse(`${prefix} a row with this id already exists and cannot be replaced`)}
  END`,
    );
  }
  return triggers;
}
