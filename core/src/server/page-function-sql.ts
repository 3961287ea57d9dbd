import { quoteIdentifier, type TableDefinition } from '../declarations/index.js';
import { engineObjectName, PRIVATE_SCHEMA, publicTable } from './sql-text.js';

const s = PRIVATE_SCHEMA;

/** The system columns a pulled row carries (`txid` never leaves the cloud), before the declared ones. */
const PULLED_SYSTEM_COLUMNS = ['id', 'tenant_id', 'updated_at', 'deleted', 'server_version'] as const;

/** What a page statement reads with: SQL text for each of its inputs. */
interface PageSlots {
  /** The table, schema-qualified. */
  readonly table: string;
  /** The row's columns, as `t.<column>` expressions separated by commas. */
  readonly columns: string;
  /** `''`, or ` and t.<scope column> = <value>` for a table with a pull scope. */
  readonly filter: string;
  readonly tenant: string;
  readonly version: string;
  readonly limit: string;
  /** The scope the cursor names (`null` for none). */
  readonly scope: string;
}

/**
 * The statement that reads one page of a table for `eq_pull`: the rows after `version`
 * in server_version order, at most `limit`, as `{ rows, cursor, has_more }`, the last
 * page with the cloud's marks. One text for both of its forms — compiled per table by
 * the migration ({@link pageFunctionSql}) and built per call by `eq_pull` for a table
 * whose columns changed since — so the two answer alike.
 *
 * @example
 * const sql = pageQuerySql({ table: 'public.%1$I', columns: '%2$s', filter: '%3$s', tenant: '$1', version: '$2', limit: '$4', scope: '$5' });
 */
export function pageQuerySql(slots: PageSlots): string {
  const { table, columns, filter, tenant, version, limit, scope } = slots;
  return `with page as (
      select t.server_version, (select _eq_row from (select ${columns}) _eq_row) as r
        from ${table} t
       where t.tenant_id = ${tenant} and t.server_version > ${version}${filter}
       order by t.server_version
       limit ${limit} + 1
    ),
    numbered as (
      select p.*, row_number() over (order by p.server_version) as n from page p
    ),
    answer as (
      select coalesce(json_agg(p.r order by p.n) filter (where p.n <= ${limit}), '[]'::json) as rows,
             coalesce(max(p.server_version) filter (where p.n <= ${limit}), ${version}) as version,
             count(*) > ${limit} as has_more
        from numbered p
    )
    select case
             when a.has_more then json_build_object('rows', a.rows, 'cursor', json_build_object('server_version', a.version, 'scope', ${scope}), 'has_more', true)
             else json_build_object('rows', a.rows, 'cursor', json_build_object('server_version', a.version, 'scope', ${scope}), 'has_more', false,
                                    'marks', ${s}.cloud_marks())
           end
      from answer a`;
}

/**
 * The name of `table`'s compiled page statement in the private schema (kept in the
 * registry as `tables.pull_function`, where `eq_pull` finds it).
 *
 * @example
 * pageFunctionName('clients'); // '_eq_clients_page'
 */
export function pageFunctionName(table: string): string {
  return engineObjectName(table, 'page');
}

/**
 * The columns `table`'s compiled page statement sends, sorted byte-wise (the registry's
 * `tables.pull_columns`): `eq_pull` uses the statement only while the table has exactly
 * these columns (but `txid`), and builds its own for a table a column was added to or
 * dropped from by other SQL.
 *
 * @example
 * pageColumns(table); // ['deleted', 'id', 'name', 'server_version', 'tenant_id', 'updated_at']
 */
export function pageColumns(table: TableDefinition): string[] {
  return pulledColumns(table).sort();
}

/** What a pulled row of `table` carries, system columns first. */
function pulledColumns(table: TableDefinition): string[] {
  return [...PULLED_SYSTEM_COLUMNS, ...table.columns.map((column) => column.name)];
}

/**
 * One table's page statement for `eq_pull`, compiled: {@link pageQuerySql} with the
 * table's columns and pull scope written in. As static SQL its plan is made once per
 * connection and kept (a generic plan: the pull index's range, whatever the values);
 * built and planned at every call, the statement cost a pull with something new about
 * 0.4 ms of Postgres time before it read a row. Security invoker: row-level security
 * applies as in `eq_pull`.
 *
 * @example
 * const sql = pageFunctionSql(plugin.tables[0]);
 */
export function pageFunctionSql(table: TableDefinition): string {
  const name = `${s}.${pageFunctionName(table.name)}`;
  const columns = pulledColumns(table).map((column) => `t.${quoteIdentifier(column)}`);
  const filter = table.pullScope === undefined ? '' : ` and t.${quoteIdentifier(table.pullScope.column)} = _eq_value`;
  const query = pageQuerySql({ table: publicTable(table.name), columns: columns.join(', '), filter, tenant: '_eq_tenant', version: '_eq_version', limit: '_eq_limit', scope: '_eq_scope' });
  return `create or replace function ${name}(_eq_tenant text, _eq_version bigint, _eq_value text, _eq_limit integer, _eq_scope text)
returns json
language plpgsql stable security invoker set search_path = '' set plan_cache_mode = force_generic_plan as $eq$
declare
  -- Named with the engine's prefix, which no declared column may have: plpgsql would
  -- take a column of a parameter's name for the parameter.
  _eq_page json;
begin
  ${query}
    into _eq_page;
  return _eq_page;
end
$eq$;
revoke all on function ${name}(text, bigint, text, integer, text) from public, anon, authenticated, service_role;
grant execute on function ${name}(text, bigint, text, integer, text) to authenticated, service_role;`;
}
