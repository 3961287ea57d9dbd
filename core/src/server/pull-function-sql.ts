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
 * @example
 * const sql = pullFunctionSql();
 */
export function pullFunctionSql(): string {
  return `create or replace function public.eq_pull(p_table text, p_cursor jsonb default null, p_limit integer default 1000)
returns jsonb
language plpgsql stable security invoker set search_path = '' as $eq$
declare
  v_entry ${s}.tables := ${s}.registered_table(p_table);
  v_txid xid8 := '0';
  v_version bigint := 0;
  v_limit integer := least(greatest(coalesce(p_limit, 1000), 1), ${MAX_PULL_LIMIT});
  v_horizon xid8 := pg_snapshot_xmin(pg_current_snapshot());
  v_page jsonb;
begin
  if jsonb_typeof(p_cursor) = 'object' then
    v_txid := coalesce((p_cursor ->> 'txid')::xid8, '0');
    v_version := coalesce((p_cursor ->> 'server_version')::bigint, 0);
  end if;
  execute format($sql$
    with page as (
      select t as r, t.txid, t.server_version
        from public.%I t
       where (t.txid, t.server_version) > ($1, $2) and t.txid < $3
       order by t.txid, t.server_version
       limit $4 + 1
    ),
    numbered as (
      select p.*, row_number() over (order by p.txid, p.server_version) as n from page p
    )
    select jsonb_build_object(
      'rows', coalesce(jsonb_agg(to_jsonb(p.r) - 'txid' order by p.n) filter (where p.n <= $4), '[]'::jsonb),
      'cursor', coalesce(
        (array_agg(jsonb_build_object('txid', p.txid::text, 'server_version', p.server_version) order by p.n desc)
          filter (where p.n <= $4))[1],
        jsonb_build_object('txid', $1::text, 'server_version', $2)),
      'has_more', count(*) > $4)
    from numbered p
  $sql$, v_entry.name) into v_page using v_txid, v_version, v_horizon, v_limit;
  return v_page;
end
$eq$;`;
}
