import { PRIVATE_SCHEMA } from './sql-text.js';

const s = PRIVATE_SCHEMA;

/**
 * Largest page a device may ask for; bigger requests get this many rows and `has_more`.
 *
 * @example
 * const page = await remote.pull(table, cursor, Math.min(wanted, MAX_PULL_LIMIT));
 */
export const MAX_PULL_LIMIT = 10_000;

/**
 * `eq_pull(p_table, p_cursor, p_limit)`: rows after the cursor in (txid, server_version)
 * order, only from transactions older than the snapshot's xmin. Every transaction below
 * xmin has ended, so no row can later appear behind the cursor: a transaction that
 * commits late is delivered late, never skipped.
 *
 * The page is built as `json`, not `jsonb`: rows go out as they are read, and building
 * them as jsonb (then printing it) took about three times as long as the query itself.
 * It is returned as a set of one: PostgREST answers a function returning one `json`
 * value with `json_agg(…)->0`, which parses the whole page again in Postgres, and a set
 * with the aggregate alone. Each row carries every column of the table but `txid`.
 *
 * A last page says `held_back: true` when rows of the caller's, committed after the
 * cursor, wait behind the horizon (a transaction still open anywhere in the cloud): a
 * device that pulled because of a live nudge then asks again a moment later instead of
 * waiting for its interval.
 *
 * @example
 * const sql = pullFunctionSql();
 */
export function pullFunctionSql(): string {
  return `-- Earlier migrations made eq_pull return jsonb, or one json value, and a function's result type cannot be replaced in place.
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
  v_txid xid8 := '0';
  v_version bigint := 0;
  v_limit integer := least(greatest(coalesce(p_limit, 1000), 1), ${MAX_PULL_LIMIT});
  v_horizon xid8 := pg_snapshot_xmin(pg_current_snapshot());
  v_columns text;
  v_page json;
begin
  if jsonb_typeof(p_cursor) = 'object' then
    v_txid := coalesce((p_cursor ->> 'txid')::xid8, '0');
    v_version := coalesce((p_cursor ->> 'server_version')::bigint, 0);
  end if;
  -- Every column the table has now (declared, system, and any a plugin's own SQL added), but txid.
  -- The row record is aliased _eq_row, a name no declared column can take.
  select string_agg(format('t.%I', a.attname), ', ' order by a.attnum) into v_columns
    from pg_catalog.pg_attribute a
   where a.attrelid = format('public.%I', v_entry.name)::regclass
     and a.attnum > 0 and not a.attisdropped and a.attname <> 'txid';
  execute format($sql$
    with page as (
      select t.txid, t.server_version, (select _eq_row from (select %2$s) _eq_row) as r
        from public.%1$I t
       where (t.txid, t.server_version) > ($1, $2) and t.txid < $3
       order by t.txid, t.server_version
       limit $4 + 1
    ),
    numbered as (
      select p.*, row_number() over (order by p.txid, p.server_version) as n from page p
    ),
    answer as (
      select coalesce(json_agg(p.r order by p.n) filter (where p.n <= $4), '[]'::json) as rows,
             json_build_object(
               'txid', coalesce((array_agg(p.txid order by p.n desc) filter (where p.n <= $4))[1], $1)::text,
               'server_version', coalesce((array_agg(p.server_version order by p.n desc) filter (where p.n <= $4))[1], $2)) as cursor,
             count(*) > $4 as has_more
        from numbered p
    )
    select case
             -- A last page, with committed rows of the caller's behind the horizon (one
             -- index probe): said only then, so the common answer stays as it was.
             when not a.has_more and exists (
               select 1 from public.%1$I h where h.txid >= $3 and (h.txid, h.server_version) > ($1, $2))
             then json_build_object('rows', a.rows, 'cursor', a.cursor, 'has_more', false, 'held_back', true)
             else json_build_object('rows', a.rows, 'cursor', a.cursor, 'has_more', a.has_more)
           end
      from answer a
  $sql$, v_entry.name, v_columns) into v_page using v_txid, v_version, v_horizon, v_limit;
  return next v_page;
end
$eq$;`;
}
