import type { PluginDefinition } from '../declarations/index.js';
import { MAX_PUSH_ROWS } from '../remote/remote-protocol.js';
import { applyFunctionName } from './apply-function-sql.js';
import { claimsSql } from './claims-sql.js';
import { deleteGuardFunctionSql } from './delete-guard-sql.js';
import { jsonDepthSql } from './limits-sql.js';
import { echoFunctionName } from './echo-function-sql.js';
import { pageColumns, pageFunctionName } from './page-function-sql.js';
import { pushGatesSql } from './push-gates-sql.js';
import { PRIVATE_SCHEMA, PUSH_STAMPED_MARK, sqlLiteral } from './sql-text.js';

/**
 * Serialises concurrent runs of the migration (two deploys, two test files): without
 * it, two `create or replace function` of the same function race and one fails with
 * "tuple concurrently updated". The lock ends with the migration's transaction.
 */
const MIGRATION_LOCK_KEY = 7_310_593_142_305_001;

/**
 * The stamp lock of a tenant and table, as SQL over two text expressions: taken by every
 * writer before it takes versions (stamp_row for each row, push_versions once a push),
 * held until commit. One expression for both, so they can never lock different keys.
 */
function stampLock(table: string, tenant: string): string {
  return `pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext(${table}), pg_catalog.hashtext(${tenant}))`;
}

/**
 * The engine's private objects: the schema, the token claims, the registry of synced
 * tables, the sequence behind `server_version`, the trigger functions every synced table
 * uses, push gates and the json depth helper of value limits.
 *
 * @example
 * const sql = foundationSql();
 */
export function foundationSql(): string {
  const s = PRIVATE_SCHEMA;
  return `select pg_catalog.pg_advisory_xact_lock(${MIGRATION_LOCK_KEY});

create schema if not exists ${s};
revoke all on schema ${s} from public;
-- eq_push and eq_pull run as the caller (so RLS applies) and read the registry; the
-- claim functions serve every API role.
grant usage on schema ${s} to anon, authenticated, service_role;

${claimsSql()}

-- Which tables sync and how the cloud settles their conflicts. Each migration upserts
-- its own tables and leaves other entries alone, so plugins may be installed separately.
create table if not exists ${s}.tables (
  name text primary key,
  plugin text not null,
  strategy text not null,
  append_only boolean not null,
  direction text not null,
  columns text[] not null
);
-- A table's pull scope (TableDeclaration.pullScope): eq_pull sends a device only the rows
-- whose scope_column equals its token's scope_claim; both null: all of its tenant's rows.
alter table ${s}.tables add column if not exists scope_column text, add column if not exists scope_claim text;
-- The table's compiled push step (applyFunctionSql), in this schema.
alter table ${s}.tables add column if not exists push_function text;
-- The table's compiled page statement for eq_pull (pageFunctionSql), in this schema, and
-- the columns it sends (sorted): eq_pull uses it only while the table has those columns.
alter table ${s}.tables add column if not exists pull_function text, add column if not exists pull_columns text[];
-- The table's compiled echo check for push_echo (echoFunctionSql), in this schema.
alter table ${s}.tables add column if not exists echo_function text;
revoke all on table ${s}.tables from public, anon, authenticated, service_role;
grant select on table ${s}.tables to authenticated, service_role;

-- One sequence for every table. Pulls page by server_version within a tenant and table,
-- so there it must follow commit order: see stamp_row.
create sequence if not exists ${s}.server_version_seq as bigint;
revoke all on sequence ${s}.server_version_seq from public, anon, authenticated, service_role;

-- Gives a row its server_version (and the txid recovery reads). The version is taken
-- under a transaction lock of the row's tenant and table, held until commit: a second
-- writer of that tenant and table waits for the first to end, so its versions are higher
-- than every version the first committed, and a pull that has read up to version V can
-- never meet a row below V later. Writers of other tenants or tables never wait, and
-- a transaction left open delays only its own tenant's writers of that table (DESIGN.md
-- §4, Pull liveness). The lock's keys are hashes: two pairs that collide only share a
-- lock. Security definer so that any role allowed to write a table can stamp it without
-- being granted the sequence; the body takes no input.
-- It runs once per written row, so each step is a plain assignment, which PL/pgSQL
-- evaluates without the executor (a PERFORM is a whole query, about 40% of the
-- trigger). CASE evaluates its condition first, so the lock is held before nextval; the
-- lock returns void, which is never null, and a null version would fail the NOT NULL.
create or replace function ${s}.stamp_row() returns trigger
language plpgsql security definer set search_path = '' as $eq$
begin
  new.server_version := case
    when ${stampLock('tg_table_name', 'new.tenant_id')} is not null
    then pg_catalog.nextval('${s}.server_version_seq'::regclass)
  end;
  new.txid := pg_catalog.pg_current_xact_id();
  return new;
end
$eq$;
revoke all on function ${s}.stamp_row() from public, anon, authenticated, service_role;

-- The versions of a push's rows, taken at once under the same lock as stamp_row's (the
-- token's tenant and the table, until commit), in one call instead of a trigger per row:
-- the push's upsert writes them itself. It then marks the transaction with
-- ${PUSH_STAMPED_MARK} = '<table>/<tenant>', which the stamp trigger's WHEN reads to
-- skip that tenant's rows of that statement (the push resets it after). Any other row —
-- another tenant's, a trigger's write at any depth, any writer but the push — is stamped
-- by the trigger as before. Null without a tenant claim: the trigger stamps every row.
-- Security definer for the sequence, like stamp_row; outside the exposed schema, so no
-- device can call it over HTTP.
create or replace function ${s}.push_versions(p_table text, p_count bigint) returns bigint[]
language plpgsql volatile security definer set search_path = '' as $eq$
declare
  v_tenant text := ${s}.jwt_tenant();
begin
  -- A push's cap on rows, checked here, where the rows are first counted; eq_push says why.
  if p_count > ${MAX_PUSH_ROWS} then
    raise exception 'a push may carry at most ${MAX_PUSH_ROWS} rows' using errcode = 'program_limit_exceeded';
  end if;
  if v_tenant is null or p_count < 1 then
    return null;
  end if;
  perform ${stampLock('p_table', 'v_tenant')};
  perform pg_catalog.set_config('${PUSH_STAMPED_MARK}', p_table || '/' || v_tenant, true);
  return array(select pg_catalog.nextval('${s}.server_version_seq'::regclass) from pg_catalog.generate_series(1, p_count));
end
$eq$;

-- Append-only rows are evidence: no role, the service role and the owner included,
-- may change or remove one.
create or replace function ${s}.refuse_change() returns trigger
language plpgsql set search_path = '' as $eq$
begin
  raise exception 'table %.% is append-only: % is refused', tg_table_schema, tg_table_name, tg_op
    using errcode = 'restrict_violation', hint = 'Insert a new row instead.';
end
$eq$;
revoke all on function ${s}.refuse_change() from public, anon, authenticated, service_role;

${deleteGuardFunctionSql()}

${pushGatesSql()}

${jsonDepthSql()}
`;
}

/**
 * Upserts the registry entries of a plugin's tables, touching a row only when it changed.
 *
 * @example
 * const sql = registryUpsertSql(plugin);
 */
export function registryUpsertSql(plugin: PluginDefinition): string {
  if (plugin.tables.length === 0) return '';
  const rows = plugin.tables.map((table) => {
    const columns = `array[${table.columns.map((column) => sqlLiteral(column.name)).join(', ')}]::text[]`;
    const text = [table.name, plugin.name, table.strategy].map(sqlLiteral).join(', ');
    const scope = table.pullScope === undefined ? 'null, null' : `${sqlLiteral(table.pullScope.column)}, ${sqlLiteral(table.pullScope.claim)}`;
    const step = sqlLiteral(applyFunctionName(table.name));
    const page = `${sqlLiteral(pageFunctionName(table.name))}, array[${pageColumns(table).map(sqlLiteral).join(', ')}]::text[]`;
    const echo = sqlLiteral(echoFunctionName(table.name));
    return `  (${text}, ${table.appendOnly ? 'true' : 'false'}, ${sqlLiteral(table.direction)}, ${columns}, ${scope}, ${step}, ${page}, ${echo})`;
  });
  const t = `${PRIVATE_SCHEMA}.tables`;
  return `insert into ${t} as registered (name, plugin, strategy, append_only, direction, columns, scope_column, scope_claim, push_function, pull_function, pull_columns, echo_function) values
${rows.join(',\n')}
on conflict (name) do update
  set plugin = excluded.plugin, strategy = excluded.strategy, append_only = excluded.append_only,
      direction = excluded.direction, columns = excluded.columns,
      scope_column = excluded.scope_column, scope_claim = excluded.scope_claim, push_function = excluded.push_function,
      pull_function = excluded.pull_function, pull_columns = excluded.pull_columns, echo_function = excluded.echo_function
  where (registered.plugin, registered.strategy, registered.append_only, registered.direction, registered.columns,
         registered.scope_column, registered.scope_claim, registered.push_function, registered.pull_function, registered.pull_columns,
         registered.echo_function)
    is distinct from (excluded.plugin, excluded.strategy, excluded.append_only, excluded.direction, excluded.columns,
                      excluded.scope_column, excluded.scope_claim, excluded.push_function, excluded.pull_function, excluded.pull_columns,
                      excluded.echo_function);
`;
}
