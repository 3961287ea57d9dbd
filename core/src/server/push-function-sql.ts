import { PRIVATE_SCHEMA } from './sql-text.js';

const s = PRIVATE_SCHEMA;

/**
 * The set-based step of a push: one statement parses the batch, locks and reads the
 * server rows, decides, inserts, updates and reports. It raises on the first bad row;
 * `eq_push` then settles rows one by one.
 *
 * Decision per row, against the server row as locked:
 * - no server row → insert;
 * - same `updated_at` (a retried request), or any existing row of an append-only table → duplicate;
 * - server row unchanged since `base_version`, or strategy LocalWins → update;
 * - LastWriteWins and the incoming HLC is later (compared byte-wise: collation "C") → update;
 * - otherwise → conflict, with the server row.
 *
 * The lock may return a row version committed after the statement's snapshot; the
 * update and the conflict read address rows by the locked ctid, so such a row is
 * neither written nor reported: it counts as unsettled and the batch is redone row by row.
 */
const APPLY_BATCH = `create or replace function ${s}.apply_batch(p_table text, p_rows jsonb) returns jsonb
language plpgsql volatile security invoker set search_path = '' as $eq$
declare
  v_entry ${s}.tables := ${s}.registered_table(p_table);
  v_columns text;
  v_values text;
  v_assignments text;
  v_update text;
  v_lock text;
  v_outcomes jsonb;
  v_unsettled bigint;
  v_repeated boolean;
begin
  -- Only declared and system columns are written: columns a plugin's own server SQL
  -- added keep their values (or defaults).
  select string_agg(format('%I', c), ', '),
         string_agg(case when c = 'deleted' then 'coalesce(d.deleted, false)' else format('d.%I', c) end, ', '),
         string_agg(format('%I = %s', c, case when c = 'deleted' then 'coalesce(d.deleted, false)' else format('d.%I', c) end), ', ')
           filter (where c <> 'id')
    into v_columns, v_values, v_assignments
    from unnest(array['id', 'tenant_id', 'updated_at', 'deleted'] || v_entry.columns) as c;

  if v_entry.append_only then
    -- Devices may not update append-only rows at all (no grant, no policy), and an
    -- UPDATE or a row lock needs the privilege even when it matches nothing.
    v_update := 'select null::text as id, null::bigint as server_version where false';
    v_lock := '';
  else
    v_update := format('update public.%I t set %s from decided d
      where d._eq_decision = ''update'' and t.ctid = d._eq_ctid returning t.id, t.server_version', p_table, v_assignments);
    -- The update never changes the key (id), so the lighter lock suffices.
    v_lock := 'for no key update';
  end if;

  -- Engine-only names start with _eq_, which no declared column may: no clash with r.*.
  -- Rows are locked in id order, so two overlapping batches cannot deadlock.
  execute format($sql$
    with input as materialized (
      select x.ord as _eq_ord, (x.item ->> 'base_version')::bigint as _eq_base, r.*
        from jsonb_array_elements($1) with ordinality as x(item, ord)
        cross join lateral jsonb_populate_record(null::public.%1$I, x.item -> 'row') as r
    ),
    decided as materialized (
      select i.*, e.ctid as _eq_ctid, e.server_version as _eq_current,
             case
               when e.server_version is null then 'insert'
               when e.updated_at = i.updated_at or $2 then 'duplicate'
               when i._eq_base = e.server_version or $3 = 'LocalWins' then 'update'
               when $3 = 'LastWriteWins' and i.updated_at collate "C" > e.updated_at collate "C" then 'update'
               else 'conflict'
             end as _eq_decision
        from (select * from input order by id) i
        left join lateral (
          select e.ctid, e.updated_at, e.server_version from public.%1$I e where e.id = i.id %5$s
        ) e on true
    ),
    inserted as (
      insert into public.%1$I (%2$s)
      select %3$s from decided d where d._eq_decision = 'insert'
      returning id, server_version
    ),
    updated as (%4$s),
    written as (select * from inserted union all select * from updated),
    -- A lookup object rather than a join: CTE row estimates are guesses, and a wrong
    -- guess must not turn the batch into a nested loop over itself.
    versions as (select coalesce(jsonb_object_agg(id, server_version), '{}'::jsonb) as m from written),
    settled as materialized (
      select d._eq_ord, d.id, d._eq_decision, d._eq_current,
             case when d._eq_decision = 'conflict' then
               (select to_jsonb(c) - 'txid' from public.%1$I c where c.ctid = d._eq_ctid) end as server_row,
             case when d._eq_decision in ('insert', 'update') then v.m -> d.id end as version
        from decided d cross join versions v
    )
    select jsonb_agg(case _eq_decision
             when 'duplicate' then jsonb_build_object('id', id, 'status', 'duplicate', 'server_version', _eq_current)
             when 'conflict' then jsonb_build_object('id', id, 'status', 'conflict', 'row', server_row)
             else jsonb_build_object('id', id, 'status', 'applied', 'server_version', version)
           end order by _eq_ord),
           count(*) filter (where (_eq_decision = 'conflict' and server_row is null)
                               or (_eq_decision in ('insert', 'update') and version is null)),
           count(distinct id) <> count(*)
      from settled
  $sql$, p_table, v_columns, v_values, v_update, v_lock)
  into v_outcomes, v_unsettled, v_repeated
  using p_rows, v_entry.append_only, v_entry.strategy;

  -- Two items for one row would both report the one write: settle them one by one.
  if v_repeated then
    raise exception 'the batch holds the same id twice' using errcode = 'cardinality_violation';
  end if;
  if v_unsettled > 0 then
    raise exception '% row(s) changed while the batch was settled', v_unsettled using errcode = 'serialization_failure';
  end if;
  return coalesce(v_outcomes, '[]'::jsonb);
end
$eq$;`;

/** One row in its own subtransaction, so its failure is its outcome and nothing more. */
const APPLY_ONE = `create or replace function ${s}.apply_one(p_table text, p_item jsonb) returns jsonb
language plpgsql volatile security invoker set search_path = '' as $eq$
begin
  begin
    return ${s}.apply_batch(p_table, jsonb_build_array(p_item)) -> 0;
  exception
    -- A concurrent insert of the same id may have committed meanwhile: the second try
    -- sees it and settles the row by strategy. Another tenant's id fails again.
    when unique_violation then null;
    when others then
      return jsonb_build_object('id', p_item -> 'row' -> 'id', 'status', 'rejected', 'reason', sqlerrm, 'code', sqlstate);
  end;
  begin
    return ${s}.apply_batch(p_table, jsonb_build_array(p_item)) -> 0;
  exception when others then
    return jsonb_build_object('id', p_item -> 'row' -> 'id', 'status', 'rejected', 'reason', sqlerrm, 'code', sqlstate);
  end;
end
$eq$;`;

/** Below this many rows a failing slice is settled row by row instead of halved again. */
const SPLIT_FLOOR = 16;

/**
 * A slice of the batch: the set-based step first; if it raises, the two halves on their
 * own, down to single rows. One bad row among n costs about 2·log2(n) set-based tries
 * instead of n single-row ones; outcomes stay in input order.
 */
const APPLY_SLICE = `create or replace function ${s}.apply_slice(p_table text, p_rows jsonb) returns jsonb
language plpgsql volatile security invoker set search_path = '' as $eq$
declare
  v_count integer := jsonb_array_length(p_rows);
  v_first jsonb;
  v_outcomes jsonb[] := '{}';
  v_item jsonb;
begin
  begin
    return ${s}.apply_batch(p_table, p_rows);
  exception when others then
    null; -- some row spoilt this slice: narrow it down below
  end;
  if v_count <= ${SPLIT_FLOOR} then
    for v_item in select x.item from jsonb_array_elements(p_rows) with ordinality as x(item, ord) order by x.ord loop
      v_outcomes := array_append(v_outcomes, ${s}.apply_one(p_table, v_item));
    end loop;
    return to_jsonb(v_outcomes);
  end if;
  -- Two statements, so the first half is settled before the second, as in the input.
  v_first := ${s}.apply_slice(p_table, jsonb_path_query_array(p_rows, '$[0 to $last]', jsonb_build_object('last', v_count / 2 - 1)));
  return v_first || ${s}.apply_slice(p_table, jsonb_path_query_array(p_rows, '$[$first to last]', jsonb_build_object('first', v_count / 2)));
end
$eq$;`;

/**
 * `eq_push(p_table, p_rows)`: settles the batch set-based when it can; a bad row (RLS,
 * a constraint, a malformed row) or two items for one id is narrowed down and settled on
 * its own, `rejected` without touching the others. Outcomes come back in input order.
 */
const EQ_PUSH = `create or replace function public.eq_push(p_table text, p_rows jsonb) returns jsonb
language plpgsql volatile security invoker set search_path = '' as $eq$
declare
  v_entry ${s}.tables := ${s}.registered_table(p_table);
begin
  if jsonb_typeof(p_rows) is distinct from 'array' then
    raise exception 'p_rows must be a JSON array of push items' using errcode = 'invalid_parameter_value';
  end if;
  if v_entry.direction = 'download-only' then
    return (select coalesce(jsonb_agg(jsonb_build_object('id', x.item -> 'row' -> 'id', 'status', 'rejected',
                      'reason', format('table %s is download-only: only the service role writes it', p_table),
                      'code', '42501') order by x.ord), '[]'::jsonb)
              from jsonb_array_elements(p_rows) with ordinality as x(item, ord));
  end if;
  return ${s}.apply_slice(p_table, p_rows);
end
$eq$;`;

/**
 * The push side of the protocol: `public.eq_push` and its private helpers.
 *
 * @example
 * const sql = pushFunctionSql();
 */
export function pushFunctionSql(): string {
  return [APPLY_BATCH, APPLY_ONE, APPLY_SLICE, EQ_PUSH].join('\n\n');
}
