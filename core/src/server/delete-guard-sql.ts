import type { TableDefinition } from '../declarations/index.js';
import { PRIVATE_SCHEMA, publicTable } from './sql-text.js';

/**
 * The hint every refused DELETE carries: devices learn of a removal only through a
 * tombstone, so a hard delete would leave every device holding the row forever.
 *
 * @example
 * expect(error.hint).toBe(TOMBSTONE_HINT);
 */
export const TOMBSTONE_HINT = 'Write a tombstone instead: update ... set deleted = true (devices then apply it).';

/**
 * `equinox.refuse_delete()`, the trigger function behind {@link deleteGuardSql}. It
 * raises SQLSTATE 23001 (`restrict_violation`), which PostgREST answers with 409, for
 * whoever deletes: a trigger runs for every role, the service role and the table's owner
 * included, which neither grants nor row-level security can say. Created once per
 * migration by `foundationSql`, before any table's triggers use it.
 *
 * @example
 * const sql = deleteGuardFunctionSql(); // in foundationSql
 */
export function deleteGuardFunctionSql(): string {
  const s = PRIVATE_SCHEMA;
  return `create or replace function ${s}.refuse_delete() returns trigger
language plpgsql set search_path = '' as $eq$
begin
  raise exception 'table % never loses rows: % is refused', tg_table_name, tg_op
    using errcode = 'restrict_violation', hint = '${TOMBSTONE_HINT}';
end
$eq$;
revoke all on function ${s}.refuse_delete() from public, anon, authenticated, service_role;`;
}

/**
 * No hard deletes on a synced table, for any role: a row trigger refuses DELETE and a
 * statement trigger TRUNCATE, both `enable always` so they fire under
 * `session_replication_role = replica` too. An append-only table gets none: its own
 * triggers already refuse DELETE and TRUNCATE (with a hint that fits it, since it takes
 * no tombstone either), so each table has exactly one refusal and the triggers follow a
 * table that becomes append-only, or stops being so. Idempotent.
 *
 * @example
 * const sql = deleteGuardSql(table); // in tableSql, after the append-only triggers
 */
export function deleteGuardSql(table: TableDefinition): string {
  const target = publicTable(table.name);
  if (table.appendOnly) {
    return `drop trigger if exists _eq_no_delete on ${target};
drop trigger if exists _eq_no_truncate on ${target};`;
  }
  return `create or replace trigger _eq_no_delete before delete on ${target}
  for each row execute function ${PRIVATE_SCHEMA}.refuse_delete();
create or replace trigger _eq_no_truncate before truncate on ${target}
  for each statement execute function ${PRIVATE_SCHEMA}.refuse_delete();
alter table ${target} enable always trigger _eq_no_delete, enable always trigger _eq_no_truncate;`;
}
