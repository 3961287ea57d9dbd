import { MAX_PUSH_BYTES, MAX_PUSH_ROWS } from '../remote/remote-protocol.js';
import { EXPECTATION_FIRST_SQL, pushExpectationSql } from './push-expectation-sql.js';
import { settleFailedBatchSql } from './settle-failed-batch-sql.js';
import { PRIVATE_SCHEMA, PUSH_STAMPED_MARK } from './sql-text.js';

const s = PRIVATE_SCHEMA;

/**
 * SQLSTATE of "an unwritten row is not visible": the push step's read-back found no row
 * where its upsert met one. The read-back is a statement of its own, after the upsert
 * waited for any concurrent insert of the same id to end, so that insert is seen; what
 * stays unseen is a row the caller's own policies hide (keys are per tenant, so no other
 * tenant's row can be behind it). Never leaves the push functions.
 */
const UNSEEN_ROW = 'EQ001';

/**
 * The set-based step of a push: the table's own compiled step (see applyFunctionSql),
 * found through the registry, then its two refusals. It raises on the first bad row, or
 * on two rows with one id, or on a row a concurrent upload is inserting; `eq_push` then
 * settles the batch row by row.
 *
 * The answer is compact, since nearly every row of a batch is applied: an applied row's
 * outcome is its new `server_version` as a bare number; only the others are objects.
 */
const APPLY_BATCH = `create or replace function ${s}.apply_batch(p_table text, p_rows json, p_bases jsonb) returns jsonb
language plpgsql volatile security invoker set search_path = '' as $eq$
declare
  v_entry ${s}.tables := ${s}.registered_table(p_table);
  v_outcomes jsonb;
  v_unsettled bigint;
  v_repeated boolean;
begin
  if v_entry.push_function is null then
    raise exception 'table "%" has no push step', p_table
      using errcode = 'undefined_function', hint = 'Apply the migration compiled from the plugin that declares it.';
  end if;
  -- A statement this small is planned in microseconds; the step's own plan is kept.
  execute format('select outcomes, unsettled, repeated from ${s}.%I($1, $2)', v_entry.push_function)
    into v_outcomes, v_unsettled, v_repeated
    using p_rows, p_bases;
  -- Later statements of the transaction (a plugin's, another push's) are stamped by the trigger again.
  perform pg_catalog.set_config('${PUSH_STAMPED_MARK}', '', true);

  -- Two rows with one id would both report the one write: settle them one by one.
  if v_repeated then
    raise exception 'the batch holds the same id twice' using errcode = 'cardinality_violation';
  end if;
  if v_unsettled > 0 then
    raise exception '% row(s) collided with rows this statement cannot see', v_unsettled using errcode = '${UNSEEN_ROW}';
  end if;
  return coalesce(v_outcomes, '[]'::jsonb);
end
$eq$;`;

/** One row in its own subtransaction, so its failure is its outcome and nothing more. */
const APPLY_ONE = `create or replace function ${s}.apply_one(p_table text, p_row json, p_bases jsonb) returns jsonb
language plpgsql volatile security invoker set search_path = '' as $eq$
begin
  begin
    return ${s}.apply_batch(p_table, json_build_array(p_row), p_bases) -> 0;
  exception
    -- A concurrent insert of the same id may have committed meanwhile: a second try, with
    -- a fresh snapshot, sees it and settles the row by strategy.
    when unique_violation or sqlstate '${UNSEEN_ROW}' then null;
    when others then
      return jsonb_build_object('status', 'rejected', 'reason', sqlerrm, 'code', sqlstate);
  end;
  begin
    return ${s}.apply_batch(p_table, json_build_array(p_row), p_bases) -> 0;
  exception
    when sqlstate '${UNSEEN_ROW}' then
      -- Still unseen with a fresh snapshot: the concurrent upload has not committed yet.
      -- Said as the serialization failure it is, so the device retries the row later.
      return jsonb_build_object('status', 'rejected', 'code', '40001',
        'reason', 'a concurrent upload of this row is in progress; it will be retried');
    when others then
      return jsonb_build_object('status', 'rejected', 'reason', sqlerrm, 'code', sqlstate);
  end;
end
$eq$;`;

/** Below this many rows a failing slice is settled row by row instead of halved again. */
const SPLIT_FLOOR = 16;

/**
 * A slice of the batch: the set-based step first; if it raises, the slice is split. One
 * bad row among n costs about 2·log2(n) set-based tries instead of n single-row ones;
 * outcomes stay in input order.
 */
const APPLY_SLICE = `create or replace function ${s}.apply_slice(p_table text, p_rows json, p_bases jsonb) returns jsonb
language plpgsql volatile security invoker set search_path = '' as $eq$
begin
  begin
    return ${s}.apply_batch(p_table, p_rows, p_bases);
  exception when others then
    null; -- some row spoilt this slice: narrow it down below
  end;
  return ${s}.split_slice(p_table, p_rows, p_bases);
end
$eq$;`;

/** A slice the set-based step refused: its two halves on their own, or its rows one by one once small. */
const SPLIT_SLICE = `create or replace function ${s}.split_slice(p_table text, p_rows json, p_bases jsonb) returns jsonb
language plpgsql volatile security invoker set search_path = '' as $eq$
declare
  v_count integer := json_array_length(p_rows);
  v_first jsonb;
  v_outcomes jsonb[] := '{}';
  v_item json;
begin
  if v_count <= ${SPLIT_FLOOR} then
    for v_item in select x.item from json_array_elements(p_rows) with ordinality as x(item, ord) order by x.ord loop
      v_outcomes := array_append(v_outcomes, ${s}.apply_one(p_table, v_item, p_bases));
    end loop;
    return to_jsonb(v_outcomes);
  end if;
  -- Two statements, so the first half is settled before the second, as in the input.
  v_first := ${s}.apply_slice(p_table, jsonb_path_query_array(p_rows::jsonb, '$[0 to $last]', jsonb_build_object('last', v_count / 2 - 1))::json, p_bases);
  return v_first || ${s}.apply_slice(p_table, jsonb_path_query_array(p_rows::jsonb, '$[$first to last]', jsonb_build_object('first', v_count / 2))::json, p_bases);
end
$eq$;`;

/**
 * Push functions of earlier layouts (sync protocol 1 took `{ row, base_version }` items as
 * jsonb; then rows as jsonb), whose signatures differ: a schema migrated before keeps
 * them otherwise, and PostgREST could not tell two `eq_push` apart.
 */
const EARLIER_PUSH_FUNCTIONS = ['text, jsonb', 'text, jsonb, jsonb']
  .map((args) => `drop function if exists public.eq_push(${args});
drop function if exists ${s}.apply_slice(${args});
drop function if exists ${s}.apply_one(${args});
drop function if exists ${s}.apply_batch(${args});`)
  .join('\n');

/**
 * The echo of a push, for a device that will pull the table (`eq_push(…, p_echo => true)`):
 * `[after, last]` when every row the device's pulls see (the tenant's, and of a table with
 * a pull scope, the device's scope) with a version above `after` and up to `last` is a row
 * this push wrote, at the version it answered, none lying between `after` and the first of
 * them; otherwise null. A device whose cursor has reached `after` may then move it to
 * `last` instead of pulling its own rows back (eq_pull's cursor `echo`). Rows of other
 * scopes do not count: another device's rows between two of this device's own (in a
 * table scoped by device) do not stop the echo, since its pulls never see them anyway.
 *
 * It holds for good once told: the stamp lock of the tenant and table (push_versions, or
 * stamp_row for other writers) is held from the push's first row until commit, so every
 * writer before it has committed (this statement sees it, and it counts in `after`) and
 * every writer after it takes versions above `last`. What the check rules out is this
 * transaction writing other rows of the table between two of its own — a plugin's trigger
 * writing another row, or rewriting a pushed row within the span — which would otherwise
 * be skipped: those rows are then pulled as before. A pushed row rewritten above `last`,
 * or any write after the check (a deferred trigger), takes a version above `last` and is
 * pulled.
 *
 * A row is matched by its version alone: each version is given once, to one write, and
 * an applied outcome is the version of the write this push made, so a row at that
 * version is that row. The rows themselves are not read again (a parse of the batch).
 * What is read is bounded by the push, whatever the tenant holds: the span, a look-up per
 * version, the row before — by the table's compiled check (echoFunctionSql, the
 * registry's `echo_function`), or for a table an earlier migration registered by the
 * same reads built here.
 */
const PUSH_ECHO = `create or replace function ${s}.push_echo(p_table text, p_outcomes jsonb) returns jsonb
language plpgsql volatile security invoker set search_path = '' as $eq$
declare
  v_entry ${s}.tables := ${s}.registered_table(p_table);
  -- A table with a pull scope: only the rows the device's pulls see count.
  v_visible text := case when v_entry.scope_column is null then ''
    else pg_catalog.format(' and t.%I = (select ${s}.jwt_claim(%L))', v_entry.scope_column, v_entry.scope_claim) end;
  v_versions bigint[];
  v_first bigint;
  v_last bigint;
  v_after bigint;
  v_in_span bigint;
  v_matched bigint;
begin
  select pg_catalog.array_agg(a.version), min(a.version), max(a.version)
    into v_versions, v_first, v_last
    from (select (o.outcome #>> '{}')::bigint as version
            from pg_catalog.jsonb_array_elements(p_outcomes) as o(outcome)
           where pg_catalog.jsonb_typeof(o.outcome) = 'number') a;
  if v_versions is null then
    return null;
  end if;
  if v_entry.echo_function is not null then
    -- The table's compiled check (echoFunctionSql): its plans kept.
    execute pg_catalog.format('select * from ${s}.%I($1, $2, $3)', v_entry.echo_function)
      into v_in_span, v_matched, v_after using v_first, v_last, v_versions;
  else
    -- A table registered by an earlier migration: the same reads, built here. The span's
    -- rows are tested against the versions answered, a constant of the statement, by
    -- hash. The tenant and scope are subqueries, not constants: as a constant, a tenant
    -- newer than the table's statistics counts as one row, and any index that starts with
    -- tenant_id looks as good as the pull index — one that then reads all of the tenant's
    -- rows. (A statement joining the span to the versions walked them all that way.)
    execute pg_catalog.format($sql$
      select count(*), count(*) filter (where t.server_version = any($3)),
             (select max(t.server_version) from public.%1$I t where t.tenant_id = (select ${s}.jwt_tenant()) and t.server_version < $1%2$s)
        from public.%1$I t where t.tenant_id = (select ${s}.jwt_tenant()) and t.server_version between $1 and $2%2$s
    $sql$, p_table, v_visible) into v_in_span, v_matched, v_after
    using v_first, v_last, v_versions;
  end if;
  -- Every row the device's pulls see in [first, last] must be one this push wrote, at the version it answered.
  if v_in_span <> v_matched then
    return null;
  end if;
  return jsonb_build_array(coalesce(v_after, 0), v_last);
end
$eq$;`;

/**
 * The signature `eq_push` had before `p_echo`: replaced, not overloaded, so PostgREST never
 * has two functions to choose from for a call naming three arguments.
 */
const PUSH_BEFORE_ECHO = 'drop function if exists public.eq_push(text, json, jsonb);';

/** The signature before `p_expect`, replaced for the same reason. */
const PUSH_BEFORE_EXPECT = 'drop function if exists public.eq_push(text, json, jsonb, boolean);';

/** The echo's signature before it matched rows by version alone (it read the rows again). */
const ECHO_WITH_ROWS = `drop function if exists ${s}.push_echo(text, json, jsonb);`;

/**
 * `eq_push(p_table, p_rows, p_bases, p_echo, p_expect)`: `p_rows` is the batch's rows, whole; `p_bases`
 * maps the id of each row the device has seen in the cloud to that `server_version`.
 * With `p_echo` the answer is `{ outcomes, echo }` (see `push_echo`), else the
 * outcomes alone, as before it existed. With `p_expect`, the call is refused whole before
 * anything else unless the cloud is as the device expects (`check_push_expectation`).
 *
 * A call of more than `MAX_PUSH_BYTES` bytes of row JSON is refused whole (SQLSTATE
 * 54000), so no request holds a connection for long; then the push gates run (a gate
 * refuses the whole call, see pushGatesSql); a call of more than `MAX_PUSH_ROWS` rows is
 * refused whole too (54000), once its rows are counted — where the set-based step decodes
 * them, before it writes any. The batch is settled set-based when it can be (the table's
 * compiled step, see applyFunctionSql). Otherwise the rows refused however they are tried
 * (another tenant's, undecodable, missing a required value, out of their limits) are
 * answered at once, and any other bad row (a uniqueness clash, a plugin's check) or two
 * rows with one id is narrowed down and settled on its own, `rejected` without touching
 * the others: see settleFailedBatchSql. Outcomes come back in input order. A push that
 * applied at least one row is announced to the tenant's devices (announce_push, see
 * liveNudgesSql), once per push, never per row.
 */
const EQ_PUSH = `create or replace function public.eq_push(p_table text, p_rows json, p_bases jsonb default null, p_echo boolean default false,
                                          p_expect jsonb default null) returns jsonb
language plpgsql volatile security invoker set search_path = '' as $eq$
declare
  v_entry ${s}.tables := ${s}.registered_table(p_table);
  v_count integer;
  v_bytes integer;
  v_outcomes jsonb;
begin
${EXPECTATION_FIRST_SQL}
  if json_typeof(p_rows) is distinct from 'array' then
    raise exception 'p_rows must be a JSON array of rows' using errcode = 'invalid_parameter_value';
  end if;
  if p_bases is not null and jsonb_typeof(p_bases) <> 'object' then
    raise exception 'p_bases must be a JSON object of id: server_version' using errcode = 'invalid_parameter_value';
  end if;
${pushBytesCapSql('p_rows')}
  perform ${s}.run_push_gates(p_table);
  if v_entry.direction <> 'download-only' then
    begin
      -- Refuses more than ${MAX_PUSH_ROWS} rows itself (push_versions), before writing any.
      v_outcomes := ${s}.apply_batch(p_table, p_rows, p_bases);
    exception when others then
      null; -- some row spoilt the batch, or too many rows: settled or refused below
    end;
  end if;
  if v_outcomes is null then
    -- Counted only here: counting is a parse of the whole batch, which the set-based step
    -- above already does once.
    v_count := json_array_length(p_rows);
    if v_count > ${MAX_PUSH_ROWS} then
      raise exception 'a push may carry at most ${MAX_PUSH_ROWS} rows; this one has %', v_count
        using errcode = 'program_limit_exceeded', hint = 'Send the rows in smaller batches.';
    end if;
    if v_entry.direction = 'download-only' then
      v_outcomes := (select coalesce(jsonb_agg(jsonb_build_object('status', 'rejected',
                        'reason', format('table %s is download-only: only the service role writes it', p_table),
                        'code', '42501') order by x.ord), '[]'::jsonb)
                       from json_array_elements(p_rows) with ordinality as x(item, ord));
      return case when p_echo then jsonb_build_object('outcomes', v_outcomes, 'echo', null) else v_outcomes end;
    end if;
    v_outcomes := ${s}.settle_failed_batch(p_table, p_rows, p_bases);
  end if;
  -- An applied row is answered with its bare server_version: one announcement per push that
  -- wrote. (The first outcome answers it for nearly every push without a walk over them all.)
  if jsonb_typeof(v_outcomes -> 0) = 'number' or jsonb_path_exists(v_outcomes, '$[*] ? (@.type() == "number")') then
    perform ${s}.announce_push(p_table);
  end if;
  if p_echo then
    return jsonb_build_object('outcomes', v_outcomes, 'echo', ${s}.push_echo(p_table, v_outcomes));
  end if;
  return v_outcomes;
end
$eq$;`;

/**
 * Refuses a push call whose JSON argument `argument` holds more than `MAX_PUSH_BYTES`
 * (SQLSTATE 54000), before any of it is parsed; `v_bytes` is the function's integer.
 *
 * @example
 * const check = pushBytesCapSql('p_rows');
 */
export function pushBytesCapSql(argument: string): string {
  return `  v_bytes := octet_length(${argument}::text);
  if v_bytes > ${MAX_PUSH_BYTES} then
    raise exception 'a push may carry at most ${MAX_PUSH_BYTES} bytes of row JSON; this one has %', v_bytes
      using errcode = 'program_limit_exceeded', hint = 'Send the rows in smaller batches.';
  end if;`;
}

/**
 * The push side of the protocol: `public.eq_push` and its private helpers.
 *
 * @example
 * const sql = pushFunctionSql();
 */
export function pushFunctionSql(): string {
  return [EARLIER_PUSH_FUNCTIONS, APPLY_BATCH, APPLY_ONE, APPLY_SLICE, SPLIT_SLICE, settleFailedBatchSql(), ECHO_WITH_ROWS, PUSH_ECHO, pushExpectationSql(), PUSH_BEFORE_ECHO, PUSH_BEFORE_EXPECT, EQ_PUSH].join('\n\n');
}
