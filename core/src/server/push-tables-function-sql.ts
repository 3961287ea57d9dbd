import { MAX_PUSH_TABLES } from '../remote/remote-protocol.js';
import { EXPECTATION_FIRST_SQL } from './push-expectation-sql.js';
import { pushBytesCapSql } from './push-function-sql.js';

/**
 * `eq_push_tables(p_pushes, p_expect)`: the pushes of several tables in one call — what one
 * local transaction wrote to several tables goes up in one request instead of one per
 * table. `p_pushes` is `[{ "table", "rows", "bases", "echo" }, …]` (at most
 * `MAX_PUSH_TABLES` (8), `MAX_PUSH_BYTES` of JSON in all, else SQLSTATE 54000); each is
 * settled exactly as `eq_push` settles it (gates, limits, outcomes, echo, announcement),
 * by `eq_push` itself. With `p_expect` the whole call is refused first unless the cloud
 * is as the device expects (`check_push_expectation`).
 *
 * The answer has one entry per push, in the order given: `{ "answer": <eq_push's answer> }`,
 * or `{ "error": { "code", "message" } }` for a push `eq_push` refused whole (a table the
 * cloud does not have, a gate's refusal, a serialization failure): that push alone is
 * rolled back, the others stand. The pushes are made in the order of their tables' names,
 * whatever the order given, so two calls take their tables' stamp locks in one order and
 * never wait on each other in a circle.
 *
 * @example
 * const sql = pushTablesFunctionSql();
 */
export function pushTablesFunctionSql(): string {
  return `create or replace function public.eq_push_tables(p_pushes json, p_expect jsonb default null) returns jsonb
language plpgsql volatile security invoker set search_path = '' as $eq$
declare
  v_bytes integer;
  v_part record;
  v_answers jsonb[];
begin
${EXPECTATION_FIRST_SQL}
  if json_typeof(p_pushes) is distinct from 'array' then
    raise exception 'p_pushes must be a JSON array of { table, rows, bases, echo }' using errcode = 'invalid_parameter_value';
  end if;
${pushBytesCapSql('p_pushes')}
  -- One pass over the body: each push's fields as columns, its rows as they came, and how
  -- many there are (counted on the parsed set: json_array_length would parse it all again).
  for v_part in
    select x.tbl, x.rows, x.bases, x.echo, x.ord, count(*) over () as total
      from rows from (json_to_recordset(p_pushes) as ("table" text, rows json, bases jsonb, echo boolean))
           with ordinality as x(tbl, rows, bases, echo, ord)
     order by x.tbl, x.ord
  loop
    if v_answers is null then
      if v_part.total > ${MAX_PUSH_TABLES} then
        raise exception 'a push may carry at most ${MAX_PUSH_TABLES} tables; this one has %', v_part.total
          using errcode = 'program_limit_exceeded', hint = 'Send the tables in more calls.';
      end if;
      v_answers := pg_catalog.array_fill(null::jsonb, array[v_part.total::integer]);
    end if;
    begin
      v_answers[v_part.ord] := jsonb_build_object('answer',
        public.eq_push(v_part.tbl, v_part.rows, nullif(v_part.bases, 'null'::jsonb), coalesce(v_part.echo, false)));
    exception when others then
      v_answers[v_part.ord] := jsonb_build_object('error', jsonb_build_object('code', sqlstate, 'message', sqlerrm));
    end;
  end loop;
  return coalesce(to_jsonb(v_answers), '[]'::jsonb);
end
$eq$;`;
}
