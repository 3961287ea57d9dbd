import { quoteIdentifier, type TableDefinition } from '../declarations/index.js';
import { POSTGRES_TYPES } from './postgres-columns.js';
import { engineObjectName, PRIVATE_SCHEMA, publicTable, sqlLiteral } from './sql-text.js';

const s = PRIVATE_SCHEMA;

/** The system columns a push writes, with the type its rows are decoded to. */
const PUSHED_SYSTEM_COLUMNS: readonly (readonly [string, string])[] = [
  ['id', 'text'],
  ['tenant_id', 'text'],
  ['updated_at', 'text'],
  ['deleted', 'boolean'],
];

/**
 * The name of `table`'s set-based push step in the private schema (kept in the registry
 * as `tables.push_function`, where `apply_batch` finds it).
 *
 * @example
 * applyFunctionName('clients'); // '_eq_clients_apply'
 */
export function applyFunctionName(table: string): string {
  return engineObjectName(table, 'apply');
}

/**
 * The set-based step of a push for one table, compiled for it: one statement shaped like
 * a bulk upsert, `insert … select … from json_to_recordset(…) on conflict (tenant_id, id)
 * do update … where <the strategy lets the row in>`. As static SQL its plan is made once
 * per connection and kept: the same statement built and planned at every call (it was)
 * cost more than the writing of a small push's rows. New rows are inserted, existing
 * ones locked and, when the strategy allows, updated; the statement gives each row its
 * version itself (`push_versions`). It raises on the first bad row; `eq_push` then
 * settles the batch row by row.
 *
 * An existing row is overwritten when its `updated_at` differs (same `updated_at` = a
 * retried request = duplicate) and: it is unchanged since the row's base version (in
 * `p_bases`), or the strategy is LocalWins, or it is LastWriteWins and the incoming HLC
 * is later (compared byte-wise, collation "C", so the device id suffix breaks ties).
 * Otherwise it is a conflict, reported with the cloud row. Append-only tables never
 * overwrite: an existing id is a duplicate.
 *
 * Answers `(outcomes, unsettled, repeated)`: when every row was written — nearly always —
 * the outcomes are the versions given, in input order, and nothing else is computed.
 * Otherwise unwritten rows are read back to tell a duplicate from a conflict;
 * `unsettled` counts rows neither written nor found (a concurrent insert this statement
 * cannot see), `repeated` says an id came twice. Only declared and system columns are
 * decoded and written: columns a plugin's own server SQL added keep their values (or
 * defaults), whatever their names.
 *
 * @example
 * const sql = applyFunctionSql(plugin.tables[0]);
 */
export function applyFunctionSql(table: TableDefinition): string {
  const target = publicTable(table.name);
  const decoded = [
    ...PUSHED_SYSTEM_COLUMNS.map(([name, type]) => `${quoteIdentifier(name)} ${type}`),
    ...table.columns.map((column) => `${quoteIdentifier(column.name)} ${POSTGRES_TYPES[column.type]}`),
  ];
  const declared = table.columns.map((column) => quoteIdentifier(column.name));
  const written = ['id', 'tenant_id', 'updated_at', 'deleted', 'server_version', 'txid', ...declared];
  const values = ['i.id', 'i.tenant_id', 'i.updated_at', 'coalesce(i.deleted, false)', 'v.versions[i._eq_ord]', 'v.txid', ...declared.map((c) => `i.${c}`)];
  const updated = written.filter((c) => c !== 'id' && c !== 'tenant_id').map((c) => `${c} = excluded.${c}`);
  const onConflict = table.appendOnly
    ? 'do nothing'
    : `do update set ${updated.join(', ')}
      where t.updated_at is distinct from excluded.updated_at
        and (t.server_version = (p_bases ->> excluded.id)::bigint${
          table.strategy === 'LocalWins' ? '\n             or true' : ''
        }${table.strategy === 'LastWriteWins' ? '\n             or excluded.updated_at collate "C" > t.updated_at collate "C"' : ''})`;
  // The upsert already holds these rows; this read follows them to the version it
  // judged, which may be newer than the statement's snapshot. (Devices cannot lock
  // append-only rows, which never change anyway.)
  const lock = table.appendOnly ? '' : ' for no key update';
  const name = `${s}.${applyFunctionName(table.name)}`;
  return `create or replace function ${name}(p_rows json, p_bases jsonb,
    out outcomes jsonb, out unsettled bigint, out repeated boolean)
language plpgsql volatile security invoker set search_path = '' as $eq$
begin
  with input as materialized (
    select i.* from rows from (pg_catalog.json_to_recordset(p_rows) as (${decoded.join(', ')}))
      with ordinality as i(${[...PUSHED_SYSTEM_COLUMNS.map(([name]) => name), ...declared, '_eq_ord'].join(', ')})
  ),
  -- One row, read before the first insert: the stamp lock taken, then a version per row.
  stamped as materialized (
    select ${s}.push_versions(${sqlLiteral(table.name)}, (select count(*) from input)) as versions, pg_catalog.pg_current_xact_id() as txid
  ),
  written as (
    -- In input order: two pushes of one tenant and table never lock rows at once (the
    -- second waits for the stamp lock before its first row), so no order is needed to
    -- keep them from deadlocking, and sorting the batch first cost about an eighth of it.
    insert into ${target} as t (${written.join(', ')})
    select ${values.join(', ')} from input i cross join stamped v
    on conflict (tenant_id, id) ${onConflict}
    returning t.tenant_id, t.id, t.server_version
  ),
  settled as materialized (
    select i._eq_ord, i.id, w.server_version as version, e.server_version as current_version,
           e.updated_at = i.updated_at as same_change, e.server_row
      from input i
      left join written w on w.tenant_id = i.tenant_id and w.id = i.id
      left join lateral (
        select c.server_version, c.updated_at,
               case when c.updated_at is distinct from i.updated_at then pg_catalog.to_jsonb(c) - 'txid' end as server_row
          from ${target} c
         where w.id is null and c.tenant_id = i.tenant_id and c.id = i.id${lock}
      ) e on true
  ),
  summary as (
    select pg_catalog.jsonb_agg(case
             when version is not null then pg_catalog.to_jsonb(version)
             when same_change or ${table.appendOnly ? 'true' : 'false'} then pg_catalog.jsonb_build_object('status', 'duplicate', 'server_version', current_version)
             else pg_catalog.jsonb_build_object('status', 'conflict', 'row', server_row)
           end order by _eq_ord) as outcomes,
           count(*) filter (where version is null and current_version is null) as unsettled,
           count(distinct id) <> count(*) as repeated
      from settled
  ),
  -- Every row written (so no id twice: a second write of one row in a statement raises)
  -- at the version the statement gave it.
  whole as (
    select v.versions, v.versions is not null and (select count(*) from written) = (select count(*) from input) as all_written
      from stamped v
  )
  select case when all_written then pg_catalog.to_jsonb(versions) else (select x.outcomes from summary x) end,
         case when all_written then 0 else (select x.unsettled from summary x) end,
         case when all_written then false else (select x.repeated from summary x) end
    into outcomes, unsettled, repeated
    from whole;
end
$eq$;
revoke all on function ${name}(json, jsonb) from public, anon, authenticated, service_role;
grant execute on function ${name}(json, jsonb) to authenticated;`;
}
