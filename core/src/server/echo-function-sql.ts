import { quoteIdentifier, type TableDefinition } from '../declarations/index.js';
import { engineObjectName, PRIVATE_SCHEMA, publicTable, sqlLiteral } from './sql-text.js';

const s = PRIVATE_SCHEMA;

/**
 * The name of `table`'s compiled echo check in the private schema (kept in the registry
 * as `tables.echo_function`, where `push_echo` finds it).
 *
 * @example
 * echoFunctionName('clients'); // '_eq_clients_echo'
 */
export function echoFunctionName(table: string): string {
  return engineObjectName(table, 'echo');
}

/**
 * What `push_echo` reads to tell a push's echo, compiled for one table: given the
 * versions a push answered (`_eq_versions`, from `_eq_first` to `_eq_last`), the rows the
 * caller's pulls see in that span (`in_span`), those of them at a version answered
 * (`matched`), and the last such row before the span (`after`). Three reads of the pull
 * index (the scoped one for a table with a pull scope), each bounded by the push: the
 * span's range, a look-up per version, one step down. As static SQL with a generic plan,
 * planned once per connection: built and planned at every push, the same reads cost a
 * one-row push about 0.3 ms of Postgres CPU, more than its write. A generic plan weighs
 * the tenant as the table's average one, never as the single row a tenant newer than the
 * statistics would count for, so no index that merely starts with `tenant_id` wins.
 * Security invoker: row-level security applies as in the pull.
 *
 * @example
 * const sql = echoFunctionSql(plugin.tables[0]);
 */
export function echoFunctionSql(table: TableDefinition): string {
  const name = `${s}.${echoFunctionName(table.name)}`;
  const target = publicTable(table.name);
  const scope = table.pullScope === undefined ? '' : ` and t.${quoteIdentifier(table.pullScope.column)} = _eq_value`;
  const claim = table.pullScope === undefined ? 'null' : `${s}.jwt_claim(${sqlLiteral(table.pullScope.claim)})`;
  return `create or replace function ${name}(_eq_first bigint, _eq_last bigint, _eq_versions bigint[],
    out in_span bigint, out matched bigint, out after bigint)
language plpgsql stable security invoker set search_path = '' set plan_cache_mode = force_generic_plan as $eq$
declare
  -- Named with the engine's prefix, which no declared column may have.
  _eq_tenant text := ${s}.jwt_tenant();
  _eq_value text := ${claim};
begin
  select count(*) into in_span from ${target} t
   where t.tenant_id = _eq_tenant and t.server_version between _eq_first and _eq_last${scope};
  select count(*) into matched from ${target} t
   where t.tenant_id = _eq_tenant and t.server_version = any(_eq_versions)${scope};
  select max(t.server_version) into after from ${target} t
   where t.tenant_id = _eq_tenant and t.server_version < _eq_first${scope};
end
$eq$;
revoke all on function ${name}(bigint, bigint, bigint[]) from public, anon, authenticated, service_role;
grant execute on function ${name}(bigint, bigint, bigint[]) to authenticated, service_role;`;
}
