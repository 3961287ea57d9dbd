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
 * Answers `(outcomes, unsettled, repeated)`: when every row was written — nearly always,
 * told by the statement's row count — the outcomes are the versions given, in input
 * order, and nothing else is computed. Otherwise the rows are read back to tell written
 * from duplicate from conflict; `unsettled` counts rows neither written nor found (a
 * concurrent insert the upsert could not see), `repeated` says an id came twice. Only
 * declared and system columns are decoded and written: columns a plugin's own server SQL
 * added keep their values (or defaults), whatever their names.
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
  const values = ['i.id', 'i.tenant_id', 'i.updated_at', 'coalesce(i.deleted, false)', '_eq_versions[i._eq_ord]', '_eq_txid', ...declared.map((c) => `i.${c}`)];
  const updated = written.filter((c) => c !== 'id' && c !== 'tenant_id').map((c) => `${c} = excluded.${c}`);
  const onConflict = table.appendOnly
    ? 'do nothing'
    : `do update set ${updated.join(', ')}
      where t.updated_at is distinct from excluded.updated_at
        and (t.server_version = (p_bases ->> excluded.id)::bigint${
          table.strategy === 'LocalWins' ? '\n             or true' : ''
        }${table.strategy === 'LastWriteWins' ? '\n             or excluded.updated_at collate "C" > t.updated_at collate "C"' : ''})`;
  // The upsert already holds these rows; this read follows them to the version it
  // judged. (Devices cannot lock append-only rows, which never change anyway.)
  const lock = table.appendOnly ? '' : ' for no key update';
  const name = `${s}.${applyFunctionName(table.name)}`;
  const rows = (columns: readonly string[], names: readonly string[]): string =>
    `rows from (pg_catalog.json_to_recordset(p_rows) as (${columns.join(', ')}))
      with ordinality as i(${[...names, '_eq_ord'].join(', ')})`;
  const allNames = [...PUSHED_SYSTEM_COLUMNS.map(([column]) => column), ...declared];
  const keyColumns = PUSHED_SYSTEM_COLUMNS.slice(0, 3);
  return `create or replace function ${name}(p_rows json, p_bases jsonb,
    out outcomes jsonb, out unsettled bigint, out repeated boolean)
language plpgsql volatile security invoker set search_path = '' as $eq$
declare
  -- Named with the engine's prefix, which no declared column may have: plpgsql would
  -- take a column of a variable's name for the variable.
  _eq_versions bigint[];
  _eq_txid xid8;
  _eq_written bigint;
begin
  -- The stamp lock taken, then a version per row, before the first row is written.
  _eq_versions := ${s}.push_versions(${sqlLiteral(table.name)}, pg_catalog.json_array_length(p_rows));
  _eq_txid := pg_catalog.pg_current_xact_id();
  -- In input order: two pushes of one tenant and table never lock rows at once (the
  -- second waits for the stamp lock before its first row), so no order is needed to
  -- keep them from deadlocking, and sorting the batch first cost about an eighth of it.
  insert into ${target} as t (${written.join(', ')})
  select ${values.join(', ')}
    from ${rows(decoded, allNames)}
  on conflict (tenant_id, id) ${onConflict};
  -- Every row written (so no id twice: a second write of one row in a statement raises,
  -- or is skipped where rows are only inserted), each at the version given it: the
  -- answer, with nothing read back or kept. (The statement's row count tells it: a
  -- RETURNING of every row, kept to be counted, cost about a tenth of the step.)
  get diagnostics _eq_written = row_count;
  if _eq_versions is not null and _eq_written = pg_catalog.cardinality(_eq_versions) then
    outcomes := pg_catalog.to_jsonb(_eq_versions);
    unsettled := 0;
    repeated := false;
    return;
  end if;
  -- Some row was not written: each row is read back, as the upsert left it. A row at the
  -- version given it was written; another at its own updated_at is a duplicate (a retried
  -- request), any other a conflict, answered with the cloud row.
  select pg_catalog.jsonb_agg(case
           when c.server_version = _eq_versions[i._eq_ord] then pg_catalog.to_jsonb(c.server_version)
           when c.updated_at = i.updated_at or ${table.appendOnly ? 'true' : 'false'} then pg_catalog.jsonb_build_object('status', 'duplicate', 'server_version', c.server_version)
           else pg_catalog.jsonb_build_object('status', 'conflict', 'row', pg_catalog.to_jsonb(c) - 'txid')
         end order by i._eq_ord),
         count(*) filter (where c.id is null),
         count(distinct i.id) <> count(*)
    into outcomes, unsettled, repeated
    from ${rows(keyColumns.map(([column, type]) => `${quoteIdentifier(column)} ${type}`), keyColumns.map(([column]) => column))}
    -- One lookup by key per row (the limit keeps the planner from joining instead: guessing
    -- a hundred rows for the batch, it hashed all of the tenant's rows, however many).
    left join lateral (
      select c.* from ${target} c where c.tenant_id = i.tenant_id and c.id = i.id limit 1${lock}
    ) c on true;
end
$eq$;
revoke all on function ${name}(json, jsonb) from public, anon, authenticated, service_role;
grant execute on function ${name}(json, jsonb) to authenticated;`;
}
