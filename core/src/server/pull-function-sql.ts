import { pageQuerySql } from './page-function-sql.js';
import { PRIVATE_SCHEMA } from './sql-text.js';

const s = PRIVATE_SCHEMA;

/**
 * Largest page a device may ask for; bigger requests get this many rows and `has_more`.
 *
 * @example
 * const page = await remote.pull(table, cursor, Math.min(wanted, MAX_PULL_LIMIT));
 */
export const MAX_PULL_LIMIT = 10_000;

/** Echoes a cursor may carry: a push's worth each, so a run's uploads need far fewer. */
const MAX_CURSOR_ECHOES = 1_000;

/**
 * Where a pull may start given the echoes of the device's pushes (`[after, last]` pairs
 * from eq_push): a cursor that has reached a push's `after` moves to its `last`, the rows
 * between being that push's own, which the device holds. Taken in order, so the echoes of
 * pushes that followed one another, with nobody's write between, chain. An echo whose
 * `after` lies beyond the cursor moves nothing: someone else's rows lie between. A
 * device can only skip rows for itself this way, so a forged echo harms only its sender.
 */
const PAST_ECHOES = `create or replace function ${s}.past_echoes(p_version bigint, p_echoes jsonb) returns bigint
language plpgsql immutable set search_path = '' as $eq$
declare
  v_version bigint := p_version;
  v_echo record;
begin
  if jsonb_typeof(p_echoes) is distinct from 'array' or jsonb_array_length(p_echoes) > ${MAX_CURSOR_ECHOES}
     or exists (select 1 from jsonb_array_elements(p_echoes) e
                 where jsonb_typeof(e) <> 'array' or jsonb_array_length(e) <> 2
                    or (e ->> 0) !~ '^[0-9]{1,18}$' or (e ->> 1) !~ '^[0-9]{1,18}$') then
    raise exception 'p_cursor.echo must be an array of at most ${MAX_CURSOR_ECHOES} [after, last] pairs of whole numbers, as eq_push answered them'
      using errcode = 'invalid_parameter_value';
  end if;
  for v_echo in select (e ->> 0)::bigint as after, (e ->> 1)::bigint as last
                  from jsonb_array_elements(p_echoes) e order by 1, 2 loop
    if v_version >= v_echo.after and v_echo.last > v_version then
      v_version := v_echo.last;
    end if;
  end loop;
  return v_version;
end
$eq$;`;

/**
 * `eq_pull(p_table, p_cursor, p_limit)`: the caller's rows after the cursor
 * `{ "server_version": N }`, in server_version order. Within one tenant and table that
 * order is commit order (stamp_row and push_versions take a lock of the tenant and table
 * until commit), so a row committed late always carries a version above every version
 * already pulled: nothing is skipped, and nothing waits on anyone else's open
 * transaction. Another tenant's transaction, however long, delays nobody else
 * (DESIGN.md §4, Pull liveness).
 *
 * A table with a pull scope (registry `scope_column`, `scope_claim`) sends only the rows
 * whose column equals the token's claim — none when the token lacks it. The cursor
 * names the scope it was read under; a cursor of another scope (the declaration changed)
 * starts again from the beginning, so a widened scope brings what the device lacks. A
 * cursor of earlier versions, `{ txid, server_version }` in (txid, server_version) order,
 * is carried over: the pull starts just below the first version it had not delivered
 * (some rows come again; devices skip versions they hold).
 *
 * The page is built as `json`, not `jsonb`: rows go out as they are read, and building
 * them as jsonb (then printing it) took about three times as long as the query itself.
 * It is returned as a set of one: PostgREST answers a function returning one `json`
 * value with `json_agg(…)->0`, which parses the whole page again in Postgres, and a set
 * with the aggregate alone. Each row carries every column of the table but `txid`. The
 * page is read by the table's own statement, compiled by the migration
 * (`pageFunctionSql`), while the table has the columns it was compiled for;
 * otherwise (a column added by other SQL) the same statement is built and planned here.
 *
 * A cursor may carry `echo`: the echoes of the device's pushes of this table (see
 * `push_echo`), which move it past the device's own rows instead of sending them back.
 *
 * A last page carries `marks`, the cloud's marks (see cloudMarksSql) as they were when
 * the page was read: the device records them without asking `eq_health` again.
 *
 * @example
 * const sql = pullFunctionSql();
 */
export function pullFunctionSql(): string {
  return `${PAST_ECHOES}

-- Earlier migrations made eq_pull return jsonb, or one json value, and a function's result type cannot be replaced in place.
do $eq$
begin
  if exists (select 1 from pg_catalog.pg_proc
              where oid = pg_catalog.to_regprocedure('public.eq_pull(text, jsonb, integer)')
                and (prorettype <> 'pg_catalog.json'::pg_catalog.regtype or not proretset)) then
    drop function public.eq_pull(text, jsonb, integer);
  end if;
end
$eq$;

create or replace function public.eq_pull(p_table text, p_cursor jsonb default null, p_limit integer default 1000)
returns setof json rows 1
language plpgsql stable security invoker set search_path = '' as $eq$
declare
  v_entry ${s}.tables := ${s}.registered_table(p_table);
  v_tenant text := ${s}.jwt_tenant();
  v_scope text := case when v_entry.scope_column is null then null else v_entry.scope_column || '=' || v_entry.scope_claim end;
  v_value text := case when v_entry.scope_claim is null then null else ${s}.jwt_claim(v_entry.scope_claim) end;
  v_filter text := case when v_entry.scope_column is null then '' else pg_catalog.format(' and t.%I = $3', v_entry.scope_column) end;
  v_version bigint := 0;
  v_limit integer := least(greatest(coalesce(p_limit, 1000), 1), ${MAX_PULL_LIMIT});
  v_columns text;
  v_names text[];
  v_page json;
begin
  if jsonb_typeof(p_cursor) = 'object' and (p_cursor ->> 'scope') is not distinct from v_scope then
    v_version := coalesce((p_cursor ->> 'server_version')::bigint, 0);
    if p_cursor ? 'txid' then
      -- A cursor of the (txid, server_version) order: below its version may lie rows it
      -- has not delivered (a higher txid); start below the first of them, or past all.
      execute pg_catalog.format($sql$
        select coalesce(min(t.server_version) - 1, (select max(a.server_version) from public.%1$I a where a.tenant_id = $1), $3)
          from public.%1$I t
         where t.tenant_id = $1 and (t.txid, t.server_version) > ($2, $3)$sql$, v_entry.name)
        into v_version using v_tenant, coalesce((p_cursor ->> 'txid')::xid8, '0'), v_version;
    end if;
  end if;
  if jsonb_typeof(p_cursor) = 'object' and p_cursor ? 'echo' then
    v_version := ${s}.past_echoes(v_version, p_cursor -> 'echo');
  end if;
  -- Every column the table has now (declared, system, and any a plugin's own SQL added), but txid.
  -- The row record is aliased _eq_row, a name no declared column can take.
  select pg_catalog.array_agg(a.attname::text order by a.attname::text collate "C"),
         pg_catalog.string_agg(pg_catalog.format('t.%I', a.attname), ', ' order by a.attnum)
    into v_names, v_columns
    from pg_catalog.pg_attribute a
   where a.attrelid = pg_catalog.format('public.%I', v_entry.name)::regclass
     and a.attnum > 0 and not a.attisdropped and a.attname <> 'txid';
  if v_entry.pull_function is not null and v_names = v_entry.pull_columns then
    -- The table's compiled page statement (its plan kept): it has the columns it was compiled for.
    execute pg_catalog.format('select ${s}.%I($1, $2, $3, $4, $5)', v_entry.pull_function)
      into v_page using v_tenant, v_version, v_value, v_limit, v_scope;
  else
    execute pg_catalog.format($sql$
    ${pageQuerySql({ table: 'public.%1$I', columns: '%2$s', filter: '%3$s', tenant: '$1', version: '$2', limit: '$4', scope: '$5' })}
  $sql$, v_entry.name, v_columns, v_filter) into v_page using v_tenant, v_version, v_value, v_limit, v_scope;
  end if;
  return next v_page;
end
$eq$;`;
}
