import { PRIVATE_SCHEMA } from './sql-text.js';

const s = PRIVATE_SCHEMA;

/**
 * A batch the set-based step refused. Rows that would be refused however they are tried
 * are answered first, without a try, in the very words Postgres would use, so a batch of
 * such rows costs a pass or two instead of the whole narrowing down (about a second for
 * 1,000 rows): a flood of refused rows cannot hold a connection for long.
 * - A row of another tenant than the caller's is answered as row-level security answers
 *   it, and with nothing else: no detail of anyone's data.
 * - A row that cannot be decoded (a value of the wrong type, not an object) gets its
 *   decoding error; each row is decoded on its own only when the batch cannot be.
 * - A row missing a required value, or out of its declared limits, gets the error of the
 *   not-null or limit constraint, checked in Postgres' own order (not-null by column,
 *   then checks by name), evaluated over the batch in one statement. Not on a table with
 *   a plugin's own BEFORE ROW trigger, which could change the row or refuse it first.
 * The other rows are then narrowed down as usual; outcomes stay in input order.
 *
 * @example
 * const sql = settleFailedBatchSql(); // part of pushFunctionSql()
 */
export function settleFailedBatchSql(): string {
  return `create or replace function ${s}.settle_failed_batch(p_table text, p_rows json, p_bases jsonb) returns jsonb
language plpgsql volatile security invoker set search_path = '' as $eq$
declare
  v_entry ${s}.tables := ${s}.registered_table(p_table);
  v_relation regclass := format('public.%I', p_table)::regclass;
  v_tenant text := ${s}.jwt_tenant();
  v_count integer := json_array_length(p_rows);
  v_verdicts jsonb[]; -- per row: its answer when it needs no try, else null
  v_columns text;
  v_constraints text;
  v_check text;
  v_decode text;
  v_rows json;
  v_positions integer[];
  v_broken jsonb[];
  v_decoded boolean := false;
  v_try json;
  v_try_count integer;
  v_tried jsonb := '[]';
begin
  select array_agg(case when coalesce(json_typeof(x.item) = 'object' and x.item ->> 'tenant_id' = v_tenant, false) then null
                        else jsonb_build_object('status', 'rejected', 'code', '42501',
                               'reason', format('new row violates row-level security policy for table "%s"', p_table))
                   end order by x.ord)
    into v_verdicts
    from json_array_elements(p_rows) with ordinality as x(item, ord);

  select string_agg(format('%I', a.attname), ', ' order by a.attnum) into v_columns
    from pg_catalog.pg_attribute a
   where a.attrelid = v_relation and a.attnum > 0 and not a.attisdropped;
  -- One CASE answering the first constraint a row breaks: not-null of the columns a push
  -- writes (deleted defaults to false) by column, then the limits by name.
  select string_agg(format('when %s then %L::jsonb', c.broken, jsonb_build_object('status', 'rejected', 'code', c.code, 'reason', c.reason)),
                    ' ' order by c.step, c.attnum, c.conname) into v_constraints
    from (select 1 as step, a.attnum, null::name as conname, format('i.%I is null', a.attname) as broken, '23502' as code,
                 format('null value in column "%s" of relation "%s" violates not-null constraint', a.attname, p_table) as reason
            from pg_catalog.pg_attribute a
           where a.attrelid = v_relation and a.attnum > 0 and not a.attisdropped and a.attnotnull
             and a.attname = any (array['id', 'tenant_id', 'updated_at'] || v_entry.columns)
          union all
          select 2, null, k.conname, format('(%s) is false', pg_get_expr(k.conbin, k.conrelid)), '23514',
                 format('new row for relation "%s" violates check constraint "%s"', p_table, k.conname)
            from pg_catalog.pg_constraint k
           where k.conrelid = v_relation and k.contype = 'c' and left(k.conname, 10) = '_eq_limit_') c;
  -- A plugin's BEFORE ROW trigger on insert or update may change a row, or refuse it first,
  -- before any constraint is checked: then only decoding, which precedes every trigger, is
  -- judged without a try. (tgtype bits: 1 row, 2 before, 4 insert, 16 update.)
  if exists (select 1 from pg_catalog.pg_trigger t
              where t.tgrelid = v_relation and not t.tgisinternal and t.tgname not in ('_eq_stamp', '_eq_append_only')
                and t.tgtype & 3 = 3 and t.tgtype & 20 <> 0) then
    v_constraints := null;
  end if;
  v_check := format('select array_agg(case %s end order by i._eq_ord) from json_populate_recordset(null::public.%I, $1) with ordinality as i(%s, _eq_ord)',
                    coalesce(v_constraints, 'when false then null'), p_table, v_columns);
  -- Another CASE answering why a row (an object: the others went with the foreign ones)
  -- does not decode, as decoding it would: the first column, in table order, whose value
  -- its type's input refuses. Text and json take any value; other types, which the engine
  -- does not declare, are left to the narrowing. (pg_input_is_valid is Postgres 16's;
  -- before, the query fails and the narrowing finds such rows.)
  select format('select array_agg(case %s end order by x.ord) from json_array_elements($1) with ordinality as x(item, ord)',
                string_agg(format('when not pg_input_is_valid(x.item ->> %L, %L) then (select jsonb_build_object(%L, %L, %L, e.sql_error_code, %L, e.message) from pg_input_error_info(x.item ->> %L, %L) e)',
                                  a.attname, format_type(a.atttypid, a.atttypmod), 'status', 'rejected', 'code', 'reason', a.attname, format_type(a.atttypid, a.atttypmod)),
                           ' ' order by a.attnum))
    into v_decode
    from pg_catalog.pg_attribute a
   where a.attrelid = v_relation and a.attnum > 0 and not a.attisdropped
     and a.atttypid = any (array['bigint', 'double precision', 'boolean', 'timestamptz', 'xid8']::regtype[]);

  loop
    select json_agg(x.item order by x.ord), array_agg(x.ord::integer order by x.ord) into v_rows, v_positions
      from json_array_elements(p_rows) with ordinality as x(item, ord)
     where v_verdicts[x.ord::integer] is null;
    exit when v_rows is null;
    begin
      execute v_check into v_broken using v_rows;
      for n in 1 .. array_length(v_positions, 1) loop
        v_verdicts[v_positions[n]] := v_broken[n];
      end loop;
      exit;
    exception when others then
      exit when v_decoded; -- still fails once undecodable rows are out: left to the narrowing
    end;
    -- Some row does not decode: find which, then check the others again.
    v_decoded := true;
    begin
      execute v_decode into v_broken using v_rows;
    exception when others then
      exit;
    end;
    for n in 1 .. array_length(v_positions, 1) loop
      v_verdicts[v_positions[n]] := v_broken[n];
    end loop;
  end loop;

  select json_agg(x.item order by x.ord), count(*) into v_try, v_try_count
    from json_array_elements(p_rows) with ordinality as x(item, ord)
   where v_verdicts[x.ord::integer] is null;
  if v_try_count = v_count then
    return ${s}.split_slice(p_table, p_rows, p_bases); -- every row needs a try, and all at once already failed
  end if;
  if v_try_count > 0 then
    v_tried := ${s}.apply_slice(p_table, v_try, p_bases);
  end if;
  return (
    select jsonb_agg(coalesce(v_verdicts[r.n], v_tried -> (r.tried - 1)::integer) order by r.n)
      from (select g.n, count(*) filter (where v_verdicts[g.n] is null) over (order by g.n) as tried
              from generate_series(1, v_count) as g(n)) r
  );
end
$eq$;`;
}
