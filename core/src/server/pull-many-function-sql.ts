import type { TableDefinition } from '../declarations/index.js';
import { MAX_PULL_MANY_TABLES } from '../remote/remote-protocol.js';
import { PRIVATE_SCHEMA, publicTable, sqlLiteral } from './sql-text.js';

const s = PRIVATE_SCHEMA;

/** What the probe of one table needs: its name and its pull scope, as the registry will hold them. */
export type ProbedTable = Pick<TableDefinition, 'name' | 'pullScope'>;

/**
 * The probe of the tables this migration declares, written out (one per table and
 * scope): a statement in the function's text, so each connection plans it once and keeps
 * the plan (with `plan_cache_mode = force_generic_plan` on the function — custom plans of
 * this many branches cost more than the probes). Each asks for the table's newest version
 * in the tenant (and scope) — one step down the pull index's end, whatever the cursor —
 * and compares it with the cursor: a plan made without the cursor's value cannot tell
 * that `server_version > cursor` reaches only the index's last entries, and may walk the
 * tenant's rows instead (a no-op sync took 119 ms at a million rows). A table it does not name (one
 * registered by another migration), or named under another scope, gets null and is
 * probed by a statement built at run time, as before.
 */
function staticProbes(tables: readonly ProbedTable[]): string {
  const branches = tables.map((table) => {
    const scope = table.pullScope === undefined ? null : `${table.pullScope.column}=${table.pullScope.claim}`;
    const scopeTest = scope === null ? 'u.scope is null' : `u.scope = ${sqlLiteral(scope)}`;
    const scopeFilter = table.pullScope === undefined ? '' : ` and t."${table.pullScope.column}" = u.value`;
    return `        when u.name = ${sqlLiteral(table.name)} and ${scopeTest} then coalesce((select t.server_version from ${publicTable(table.name)} t where t.tenant_id = v_tenant${scopeFilter} order by t.server_version desc limit 1) > u.version, false)`;
  });
  const cases = branches.length === 0 ? 'null::boolean' : `case
        when u.probe is null then null
${branches.join('\n')}
        end`;
  return `v_fresh := array(select ${cases}
      from rows from (pg_catalog.unnest(v_names), pg_catalog.unnest(v_versions), pg_catalog.unnest(v_values), pg_catalog.unnest(v_scopes), pg_catalog.unnest(v_probes))
        with ordinality as u(name, version, value, scope, probe, ord) order by u.ord);`;
}

/**
 * `eq_pull_many(p_cursors, p_limit)`: a device's whole no-op sync in one request. Given
 * `{ "<table>": <cursor or null>, … }` (at most {@link MAX_PULL_MANY_TABLES} tables), it
 * answers everything `eq_health` says (`ok`, `protocol`, `tenant`, `device`, `scopes`,
 * `epoch`, `high_water`, `next_txid`) and `pages`: for each table the first page `eq_pull`
 * would answer for that cursor. The device reads the health part as its probe and applies
 * the pages; it asks `eq_pull` for the pages after them.
 *
 * Cheap when nothing is new, the usual case: one statement probes every table's pull
 * index once (`exists` past the cursor, the table's pull scope applied), and a table with
 * nothing new gets its empty page built here, as `eq_pull` would build it. The probe of
 * the tables given here (the migration's own) is written into the function, so its plan
 * is cached per connection; other registered tables are probed by a statement built per
 * call (planning it cost more than everything else in a no-op sync). Only a table
 * with rows (or a cursor of the earlier (txid, server_version) order) goes through
 * `eq_pull` itself, so both answer alike. Security invoker like `eq_pull`: row-level
 * security decides what each probe and page reaches; a table the registry does not know
 * is refused the same way (`registered_table`), and so is a cursor that is not an object
 * or null. The function is stable, so every part of the answer is read in one snapshot:
 * the marks and the pages agree.
 *
 * Asked with GET, PostgREST passes `p_cursors` as a string: one holding JSON is read as
 * the object it holds, so the body-less form answers the same. `replica` says whether a
 * read replica answered (a GET may be routed to one), whose marks and pages lag.
 *
 * Returned as a set of one `json` value, for the reason `eq_pull` gives.
 *
 * @example
 * const sql = pullManyFunctionSql(plugins.flatMap((plugin) => plugin.tables)); // part of apiFunctionsSql()
 */
export function pullManyFunctionSql(tables: readonly ProbedTable[]): string {
  return `create or replace function public.eq_pull_many(p_cursors jsonb, p_limit integer default 1000)
returns setof json rows 1
language plpgsql stable security invoker set search_path = '' set plan_cache_mode = force_generic_plan as $eq$
declare
  v_tenant text := ${s}.jwt_tenant();
  v_health jsonb := public.eq_health();
  v_marks jsonb := pg_catalog.jsonb_build_object('epoch', v_health -> 'epoch', 'high_water', v_health -> 'high_water', 'next_txid', v_health -> 'next_txid');
  v_names text[] := '{}';
  v_cursors jsonb[] := '{}';
  v_scopes text[] := '{}';
  v_versions bigint[] := '{}';
  v_values text[] := '{}';
  -- Per table: the probe's expression, or null when eq_pull must answer (a cursor of the earlier order).
  v_probes text[] := '{}';
  v_fresh boolean[];
  v_dynamic boolean[];
  v_pages json[] := '{}';
  v_entry ${s}.tables;
  v_name text;
  v_cursor jsonb;
  v_scope text;
  v_count integer;
  v_i integer;
  v_page json;
begin
  if pg_catalog.jsonb_typeof(p_cursors) = 'string' then
    -- Asked with GET (no body: cheaper at every hop, for the most frequent call there is),
    -- PostgREST hands the query parameter over as a JSON string holding the object.
    p_cursors := (p_cursors #>> '{}')::jsonb;
  end if;
  if pg_catalog.jsonb_typeof(p_cursors) is distinct from 'object' then
    raise exception 'eq_pull_many: p_cursors must be an object { "<table>": <cursor or null> }, got %', coalesce(pg_catalog.jsonb_typeof(p_cursors), 'null')
      using errcode = 'invalid_parameter_value';
  end if;
  select count(*) into v_count from pg_catalog.jsonb_object_keys(p_cursors);
  if v_count > ${MAX_PULL_MANY_TABLES} then
    raise exception 'eq_pull_many: % tables asked for, at most ${MAX_PULL_MANY_TABLES} in one call', v_count
      using errcode = 'program_limit_exceeded';
  end if;
  for v_name, v_cursor in select c.key, c.value from pg_catalog.jsonb_each(p_cursors) c order by c.key loop
    if pg_catalog.jsonb_typeof(v_cursor) not in ('object', 'null') then
      raise exception 'eq_pull_many: the cursor of table "%" must be an object or null, got %', v_name, pg_catalog.jsonb_typeof(v_cursor)
        using errcode = 'invalid_parameter_value';
    end if;
    v_entry := ${s}.registered_table(v_name);
    v_scope := case when v_entry.scope_column is null then null else v_entry.scope_column || '=' || v_entry.scope_claim end;
    v_i := coalesce(pg_catalog.array_length(v_names, 1), 0) + 1;
    v_names := v_names || v_entry.name;
    v_cursors := v_cursors || v_cursor;
    v_scopes := v_scopes || v_scope;
    v_values := v_values || case when v_entry.scope_claim is null then null else ${s}.jwt_claim(v_entry.scope_claim) end;
    -- Where eq_pull would start: past the cursor's version, or from the start under another scope.
    v_versions := v_versions || case
      when pg_catalog.jsonb_typeof(v_cursor) = 'object' and (v_cursor ->> 'scope') is not distinct from v_scope
        then coalesce((v_cursor ->> 'server_version')::bigint, 0)
      else 0 end;
    v_probes := v_probes || case
      when pg_catalog.jsonb_typeof(v_cursor) = 'object' and (v_cursor ->> 'scope') is not distinct from v_scope and v_cursor ? 'txid' then null
      -- As the written-out probes ask: the tenant's newest version, one step down the pull
      -- index. The tenant and scope are subqueries, not constants of the statement: as a
      -- constant, a tenant newer than the table's statistics counts as one row, and any
      -- index that starts with tenant_id looks as good, one that walked all its rows.
      else pg_catalog.format('coalesce((select t.server_version from public.%I t where t.tenant_id = (select ${s}.jwt_tenant())%s order by t.server_version desc limit 1) > $1[%s], false)',
             v_entry.name,
             case when v_entry.scope_column is null then '' else pg_catalog.format(' and t.%I = (select ${s}.jwt_claim(%L))', v_entry.scope_column, v_entry.scope_claim) end,
             v_i)
      end;
  end loop;
  if v_count > 0 then
    -- The migration's own tables: one statement in the function's text, its plan kept.
    ${staticProbes(tables)}
    -- Any other table: one statement built for them, planned per call.
    if exists (select from pg_catalog.generate_subscripts(v_probes, 1) i where v_probes[i] is not null and v_fresh[i] is null) then
      execute 'select array[' || pg_catalog.array_to_string(
          array(select case when v_probes[i] is null or v_fresh[i] is not null then 'null' else v_probes[i] end
                  from pg_catalog.generate_subscripts(v_probes, 1) i order by i), ', ') || ']::boolean[]'
        into v_dynamic using v_versions;
      v_fresh := array(select coalesce(v_fresh[i], v_dynamic[i]) from pg_catalog.generate_subscripts(v_probes, 1) i order by i);
    end if;
  end if;
  for v_i in 1 .. v_count loop
    if v_probes[v_i] is not null and not v_fresh[v_i] then
      -- What eq_pull answers for a table with nothing new, built without asking it.
      v_page := pg_catalog.json_build_object('rows', '[]'::json,
        'cursor', pg_catalog.json_build_object('server_version', v_versions[v_i], 'scope', v_scopes[v_i]),
        'has_more', false, 'marks', v_marks);
    else
      select p into v_page from public.eq_pull(v_names[v_i], v_cursors[v_i], p_limit) p;
    end if;
    v_pages := v_pages || v_page;
  end loop;
  -- Built as json, so the pages' rows go out as eq_pull printed them, not parsed again.
  return next (
    select pg_catalog.json_object_agg(a.key, a.value)
      from (select h.key, h.value::json as value from pg_catalog.jsonb_each(v_health) h
            union all
            -- A GET may reach a read replica (Supabase's load balancer routes GETs to the nearest
            -- database): the device must know, since a replica's marks and pages lag the primary's.
            select 'replica', pg_catalog.to_json(pg_catalog.pg_is_in_recovery())
            union all
            select 'pages', coalesce((select pg_catalog.json_object_agg(u.name, u.page) from rows from (pg_catalog.unnest(v_names), pg_catalog.unnest(v_pages)) as u(name, page)), '{}'::json)) a);
end
$eq$;`;
}
