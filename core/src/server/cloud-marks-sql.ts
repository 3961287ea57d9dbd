import { PRIVATE_SCHEMA } from './sql-text.js';

const s = PRIVATE_SCHEMA;

/**
 * Re-stamps rows whose `txid` lies in the future (`>=` the next transaction id) with the
 * current transaction's, so pulls deliver them at once. Run by the migration, or by the
 * owner right after a restore: `select ${s}.after_restore();`. User triggers are off
 * during the re-stamp (an append-only table refuses any UPDATE, the stamp trigger would
 * give new versions to unchanged rows), then set back as they were (ENABLE ALWAYS
 * included). Returns the rows re-stamped per table.
 */
const AFTER_RESTORE = `create or replace function ${s}.after_restore() returns jsonb
language plpgsql volatile security invoker set search_path = '' as $eq$
declare
  v_now xid8 := pg_catalog.pg_current_xact_id();
  v_next xid8 := pg_catalog.pg_snapshot_xmax(pg_catalog.pg_current_snapshot());
  v_table text;
  v_future boolean;
  v_triggers text[][];
  v_trigger text[];
  v_count bigint;
  v_done jsonb := '{}'::jsonb;
begin
  for v_table in
    select t.name from ${s}.tables t where pg_catalog.to_regclass(pg_catalog.format('public.%I', t.name)) is not null order by t.name
  loop
    execute pg_catalog.format('select exists (select 1 from public.%I where txid >= $1)', v_table) into v_future using v_next;
    if not v_future then
      continue;
    end if;
    -- How each trigger fires now, read before they are turned off.
    select array_agg(array[g.tgname::text, g.tgenabled::text]) into v_triggers from pg_catalog.pg_trigger g
     where g.tgrelid = pg_catalog.format('public.%I', v_table)::regclass and not g.tgisinternal and g.tgenabled <> 'D';
    execute pg_catalog.format('alter table public.%I disable trigger user', v_table);
    execute pg_catalog.format('update public.%I set txid = $1 where txid >= $2', v_table) using v_now, v_next;
    get diagnostics v_count = row_count;
    foreach v_trigger slice 1 in array coalesce(v_triggers, '{}') loop
      execute pg_catalog.format('alter table public.%I %s trigger %I', v_table,
        case v_trigger[2] when 'A' then 'enable always' when 'R' then 'enable replica' else 'enable' end, v_trigger[1]);
    end loop;
    v_done := v_done || pg_catalog.jsonb_build_object(v_table, v_count);
  end loop;
  return v_done;
end
$eq$;
revoke all on function ${s}.after_restore() from public, anon, authenticated, service_role;`;

/**
 * The cloud's identity and how far it has gone, for devices to notice a cloud that was
 * replaced or rewound (DESIGN.md §4, Recovery):
 *
 * - `${s}.instance`: one row with a random `epoch`, made by the migration when missing.
 *   A wiped database (the migration applied again to an empty one, a new project) gets a
 *   new epoch; a restored backup brings its old one back.
 * - `${s}.cloud_marks()`: `{ epoch, high_water, next_txid }`. `high_water` is the last
 *   `server_version` handed out: the sequence only moves forward, so below a version a
 *   device already holds, the cloud was restored from an older backup (a dump carries the
 *   sequence's value with it). `next_txid` is the next transaction id: below a device's
 *   pull cursor, the cloud now lives in another cluster (a dump restored elsewhere), whose
 *   new writes the cursor would skip. Security definer, so devices need no grant on the
 *   table or the sequence; it takes no input and reveals only these three values (which
 *   do say how much the whole cloud has written: see the security notes of the README).
 *
 * @example
 * const sql = cloudMarksSql();
 */
export function cloudMarksSql(): string {
  return `create table if not exists ${s}.instance (
  singleton boolean primary key default true check (singleton),
  epoch text not null,
  created_at timestamptz not null default now()
);
revoke all on table ${s}.instance from public, anon, authenticated, service_role;
insert into ${s}.instance (epoch) values (gen_random_uuid()::text) on conflict (singleton) do nothing;

create or replace function ${s}.cloud_marks() returns jsonb
language sql stable security definer set search_path = '' as $eq$
  select jsonb_build_object(
    'epoch', (select i.epoch from ${s}.instance i),
    'high_water', (select case when q.is_called then q.last_value else 0 end from ${s}.server_version_seq q)::text,
    'next_txid', pg_catalog.pg_snapshot_xmax(pg_catalog.pg_current_snapshot())::text)
$eq$;

${AFTER_RESTORE}

-- A dump restored into another cluster keeps its rows' txids, which may lie in the new
-- cluster's future: pulls would not see them until its transaction ids caught up. Each
-- migration run re-stamps them (nothing to do, and nothing done, otherwise).
select ${s}.after_restore();`;
}
