import { quoteIdentifier, type IndexDefinition, type TableDefinition } from '../declarations/index.js';
import { applyFunctionSql } from './apply-function-sql.js';
import { columnSql } from './postgres-columns.js';
import { deleteGuardSql } from './delete-guard-sql.js';
import { echoFunctionSql } from './echo-function-sql.js';
import { pageFunctionSql } from './page-function-sql.js';
import { limitConstraintsSql } from './limits-sql.js';
import { tenantAccessSql } from './policy-sql.js';
import { gateTriggerSql } from './push-gates-sql.js';
import { engineObjectName, PRIVATE_SCHEMA, publicTable, PUSH_STAMPED_MARK, sqlLiteral } from './sql-text.js';

/**
 * Everything one synced table needs in the cloud: the table with its system columns and
 * its tenant-scoped key, declared columns added when missing (so a newer declaration
 * extends an existing table), value limits, indexes, the version-stamping trigger, the
 * push gate, append-only protection or the refusal of hard deletes, and tenant access.
 * Every statement is idempotent.
 *
 * @example
 * const sql = tableSql(plugin.tables[0]);
 */
export function tableSql(table: TableDefinition): string {
  const target = publicTable(table.name);
  const columns = table.columns.map((column) => `  add column if not exists ${columnSql(column)}`);
  return [
    `-- ${table.name}: ${table.strategy}, ${table.direction}${table.appendOnly ? ', append-only' : ''}`,
    `create table if not exists ${target} (
  id text not null,
  tenant_id text not null,
  updated_at text not null,
  deleted boolean not null default false,
  server_version bigint not null,
  txid xid8 not null,
  primary key (tenant_id, id)
);`,
    tenantKeySql(table.name),
    `alter table ${target}\n${columns.join(',\n')};`,
    limitConstraintsSql(table),
    pullIndexSql(table),
    ...table.indexes.map((index) => indexSql(table.name, index)),
    stampTriggerSql(table.name),
    applyFunctionSql(table),
    pageFunctionSql(table),
    echoFunctionSql(table),
    gateTriggerSql(table.name),
    appendOnlySql(table),
    // With each table, so that no table's trigger can come before its function; repeating it is harmless.
    deleteGuardSql(table),
    tenantAccessSql(table),
  ].join('\n');
}

/**
 * Stamps each written row with its version and txid (stamp_row), except the rows a
 * push's own upsert stamped itself — so the push knows its rows' versions without reading
 * them back: its statement runs with `equinox.push_stamped` set to this table and the
 * token's tenant (see push_versions), at trigger depth 0. A row of another tenant, or
 * written by a trigger during the push (depth 1 or more), or by any other writer, is
 * stamped here.
 */
function stampTriggerSql(table: string): string {
  const skip = `pg_catalog.current_setting('${PUSH_STAMPED_MARK}', true) is not distinct from (${sqlLiteral(`${table}/`)} || new.tenant_id)`;
  return `create or replace trigger _eq_stamp before insert or update on ${publicTable(table)}
  for each row when (not (${skip}) or pg_catalog.pg_trigger_depth() > 0)
  execute function ${PRIVATE_SCHEMA}.stamp_row();`;
}

/**
 * The index eq_pull reads as a range: a tenant's rows in server_version order (within a
 * tenant and table, commit order: see stamp_row and push_versions), or, for a table with
 * a pull scope, those of one scope value. The index of earlier versions, in (txid, server_version)
 * order, is dropped: pulls no longer read it, and each write paid for it.
 */
function pullIndexSql(table: TableDefinition): string {
  const target = publicTable(table.name);
  const scoped =
    table.pullScope === undefined
      ? ''
      : `\ncreate index if not exists ${engineObjectName(table.name, `pulls_by_${table.pullScope.column}`)} on ${target} (tenant_id, ${quoteIdentifier(table.pullScope.column)}, server_version);`;
  return `-- Serves eq_pull: the rows a device pulls, in server_version order, read as a range.
drop index if exists public.${engineObjectName(table.name, 'pull')};
create index if not exists ${engineObjectName(table.name, 'pulls')} on ${target} (tenant_id, server_version);${scoped}`;
}

/**
 * Moves a table keyed on `(id)` alone (as the cloud schema once made them) to the key
 * `(tenant_id, id)`, in place and keeping every row: with a global key, one tenant could
 * take the id another tenant's device was about to use. Does nothing once the key is
 * `(tenant_id, id)`. The old key is dropped without CASCADE: an object that depends on it
 * stops the migration rather than vanishing.
 */
function tenantKeySql(table: string): string {
  const target = publicTable(table);
  const relation = `${sqlLiteral(target)}::regclass`;
  return `do $eq$
declare
  v_key name;
begin
  if not exists (
    select 1 from pg_catalog.pg_constraint k
     where k.conrelid = ${relation} and k.contype = 'p'
       and k.conkey = array[
         (select a.attnum from pg_catalog.pg_attribute a where a.attrelid = ${relation} and a.attname = 'tenant_id'),
         (select a.attnum from pg_catalog.pg_attribute a where a.attrelid = ${relation} and a.attname = 'id')]::int2[]
  ) then
    select k.conname into v_key from pg_catalog.pg_constraint k where k.conrelid = ${relation} and k.contype = 'p';
    if v_key is not null then
      execute pg_catalog.format('alter table ${target} drop constraint %I', v_key);
    end if;
    alter table ${target} add primary key (tenant_id, id);
  end if;
end
$eq$;`;
}

/**
 * Declared indexes lead with tenant_id: uniqueness and lookups are per tenant. Unique
 * ones skip tombstones, as on the device, so a deleted row's key can be used again.
 */
function indexSql(table: string, index: IndexDefinition): string {
  const role = `${index.unique ? 'uniq' : 'idx'}_${index.columns.join('_')}`;
  const name = engineObjectName(table, role);
  const columns = ['tenant_id', ...index.columns.map((column) => quoteIdentifier(column))].join(', ');
  const partial = index.unique ? ' where not deleted' : '';
  return `create ${index.unique ? 'unique ' : ''}index if not exists ${name} on ${publicTable(table)} (${columns})${partial};`;
}

/**
 * Rows of an append-only table are evidence: UPDATE, DELETE and TRUNCATE are refused for
 * every role. Other tables' DELETE and TRUNCATE are refused by {@link deleteGuardSql}.
 */
function appendOnlySql(table: TableDefinition): string {
  const target = publicTable(table.name);
  if (!table.appendOnly) {
    return `drop trigger if exists _eq_append_only on ${target};
drop trigger if exists _eq_append_only_truncate on ${target};`;
  }
  return `create or replace trigger _eq_append_only before update or delete on ${target}
  for each row execute function ${PRIVATE_SCHEMA}.refuse_change();
create or replace trigger _eq_append_only_truncate before truncate on ${target}
  for each statement execute function ${PRIVATE_SCHEMA}.refuse_change();
-- Fire even under session_replication_role = replica, which silences ordinary triggers.
alter table ${target} enable always trigger _eq_append_only, enable always trigger _eq_append_only_truncate;`;
}
