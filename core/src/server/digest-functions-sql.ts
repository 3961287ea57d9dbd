import { DIGEST_LIMITS } from '../recovery/digest-protocol.js';
import { PRIVATE_SCHEMA } from './sql-text.js';

const s = PRIVATE_SCHEMA;
const L = DIGEST_LIMITS;

/**
 * Rows of `public.<table>` (as `t`) in the id range [$1, $2), byte-wise, for a format()
 * with the table as %1$I and the scope filter (SCOPE_FILTER) as %2$s.
 */
const IN_RANGE = `from public.%1$I t where ($1::text is null or t.id collate "C" >= $1) and ($2::text is null or t.id collate "C" < $2)%2$s`;

/**
 * The rows of a table with a pull scope that eq_pull shows the caller, and so the rows it
 * compares: those whose scope column holds the token's claim (none when it has none).
 */
const SCOPE_FILTER = `v_scope text := case when v_entry.scope_column is null then ''
    else pg_catalog.format(' and t.%I = %L', v_entry.scope_column, ${s}.jwt_claim(v_entry.scope_claim)) end;`;

/** Checks a `p_ranges` argument: an array of at most `max` [lo, hi] pairs of text or null. */
function rangesCheck(max: number): string {
  return `if jsonb_typeof(p_ranges) is distinct from 'array' or jsonb_array_length(p_ranges) > ${max}
     or exists (select 1 from jsonb_array_elements(p_ranges) r
                 where jsonb_typeof(r) <> 'array' or jsonb_array_length(r) <> 2
                    or jsonb_typeof(r -> 0) not in ('string', 'null') or jsonb_typeof(r -> 1) not in ('string', 'null')) then
    raise exception 'p_ranges must be an array of at most ${max} [lo, hi] pairs of text or null'
      using errcode = 'invalid_parameter_value';
  end if;`;
}

/**
 * `eq_digest(p_table, p_ranges)`: for each id range of the caller's rows (row-level
 * security decides which), `{ count, hash, splits }`: the row count; md5 of the lines
 * `id TAB updated_at TAB 0|1` in byte-wise id order joined by newlines, when the range
 * holds at most ${L.maxHashRows} rows (else null); and, for a range of more than
 * ${L.leafRows} rows, the ids that cut it into ${L.fanOut} parts of about equal size. A
 * device computes the same hash over its own rows (`rangeHash`) and narrows down the
 * ranges that differ, so finding what one side lacks never downloads a table.
 */
const EQ_DIGEST = `create or replace function public.eq_digest(p_table text, p_ranges jsonb) returns jsonb
language plpgsql stable security invoker set search_path = '' as $eq$
declare
  v_entry ${s}.tables := ${s}.registered_table(p_table);
  ${SCOPE_FILTER}
  v_range jsonb;
  v_count bigint;
  v_hash text;
  v_splits jsonb;
  v_answer jsonb := '[]'::jsonb;
begin
  ${rangesCheck(L.maxRanges)}
  for v_range in select r from jsonb_array_elements(p_ranges) with ordinality as x(r, n) order by x.n loop
    execute format('select count(*) ${IN_RANGE}', v_entry.name, v_scope) into v_count using v_range ->> 0, v_range ->> 1;
    v_hash := null;
    v_splits := null;
    if v_count <= ${L.maxHashRows} then
      execute format($sql$select md5(coalesce(string_agg(t.id || E'\\t' || t.updated_at || E'\\t' || case when t.deleted then '1' else '0' end,
                                                 E'\\n' order by t.id collate "C"), '')) ${IN_RANGE}$sql$, v_entry.name, v_scope)
        into v_hash using v_range ->> 0, v_range ->> 1;
    end if;
    if v_count > ${L.leafRows} then
      execute format($sql$select coalesce(jsonb_agg(x.id order by x.n), '[]'::jsonb) from (
          select t.id, row_number() over (order by t.id collate "C") as n ${IN_RANGE}) x
        where x.n > 1 and (x.n - 1) %% $3 = 0$sql$, v_entry.name, v_scope)
        into v_splits using v_range ->> 0, v_range ->> 1, ceil(v_count / ${L.fanOut}.0)::bigint;
    end if;
    v_answer := v_answer || jsonb_build_array(jsonb_build_object('count', v_count, 'hash', v_hash, 'splits', v_splits));
  end loop;
  return v_answer;
end
$eq$;`;

/**
 * `eq_digest_rows(p_table, p_ranges)`: for each id range, `{ rows, more }`: the caller's
 * rows in it as `[id, updated_at, deleted, server_version]`, in byte-wise id order, at
 * most ${L.maxListRows} (`more` says there were more: digest and split that range instead).
 */
const EQ_DIGEST_ROWS = `create or replace function public.eq_digest_rows(p_table text, p_ranges jsonb) returns jsonb
language plpgsql stable security invoker set search_path = '' as $eq$
declare
  v_entry ${s}.tables := ${s}.registered_table(p_table);
  ${SCOPE_FILTER}
  v_range jsonb;
  v_rows jsonb;
  v_answer jsonb := '[]'::jsonb;
begin
  ${rangesCheck(L.maxListRanges)}
  for v_range in select r from jsonb_array_elements(p_ranges) with ordinality as x(r, n) order by x.n loop
    execute format($sql$select coalesce(jsonb_agg(jsonb_build_array(x.id, x.updated_at, x.deleted, x.server_version) order by x.id collate "C"), '[]'::jsonb)
      from (select t.id, t.updated_at, t.deleted, t.server_version ${IN_RANGE} order by t.id collate "C" limit ${L.maxListRows + 1}) x$sql$, v_entry.name, v_scope)
      into v_rows using v_range ->> 0, v_range ->> 1;
    v_answer := v_answer || jsonb_build_array(jsonb_build_object(
      'rows', case when jsonb_array_length(v_rows) > ${L.maxListRows} then v_rows - ${L.maxListRows} else v_rows end,
      'more', jsonb_array_length(v_rows) > ${L.maxListRows}));
  end loop;
  return v_answer;
end
$eq$;`;

/**
 * The comparison functions devices call to find what they and the cloud lack (DESIGN.md
 * §4, Recovery; `equinox reconcile`). Both run as the caller and apply a table's pull
 * scope as eq_pull does, so a device compares only the rows of its tenant it may pull,
 * and each call's work is bounded by its ranges, not by the table.
 *
 * @example
 * const sql = digestFunctionsSql();
 */
export function digestFunctionsSql(): string {
  return `${EQ_DIGEST}\n\n${EQ_DIGEST_ROWS}`;
}
