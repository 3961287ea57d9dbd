import { STOCK_REASONS } from '../stock-rules.js';
import { INVENTORY_SCHEMA } from './inventory-schema.js';
import { DELTA_LOG_SQL, FOLD_EVERY, FOLD_FUNCTION_SQL, MASTER_LEVELS_SQL } from './master-fold-sql.js';

export { INVENTORY_SCHEMA } from './inventory-schema.js';

const s = INVENTORY_SCHEMA;

/**
 * Serialises concurrent runs (two deploys, two test files): two concurrent
 * `create or replace function` of one function fail with "tuple concurrently updated".
 */
const MIGRATION_LOCK_KEY = 7_310_593_142_305_033;

const REASONS = STOCK_REASONS.map((reason) => `'${reason}'`).join(', ');

/** The movement rules of the API, enforced for every writer (CHECK constraints). */
const MOVEMENT_RULES = `-- NOT VALID: a cloud already holding older rows keeps them; every new row is checked.
do $inv$
begin
  if not exists (select 1 from pg_catalog.pg_constraint
                  where conrelid = 'public.stock_movements'::regclass and conname = 'inventory_delta_nonzero') then
    alter table public.stock_movements add constraint inventory_delta_nonzero check (delta <> 0) not valid;
  end if;
  if not exists (select 1 from pg_catalog.pg_constraint
                  where conrelid = 'public.stock_movements'::regclass and conname = 'inventory_reason_known') then
    alter table public.stock_movements add constraint inventory_reason_known
      check (reason in (${REASONS})) not valid;
  end if;
end
$inv$;`;

/**
 * Counts the movements one statement inserted (eq_push inserts a batch in one statement):
 * their deltas summed per tenant and SKU, one upsert per pair into the tenant totals, then
 * one row per SKU appended to the master's delta log (`master_deltas`), never an update of
 * a row another tenant's push also writes. So pushes of different tenants never wait on
 * one another; two batches of one tenant and one SKU still take turns on that tenant's
 * total, which is what keeps `tenants` exact: the upsert returns the total after this
 * batch, so whether the tenant's total left zero or came back to it is known (±1), under
 * that row's lock. Work grows with the batch, never with the history. Sums are `numeric`,
 * which has no practical bound: no total, however large one tenant makes it, can fail a
 * later movement of that SKU, its own or another tenant's. Totals are upserted in SKU
 * order, so two batches of one tenant lock them in one order and cannot deadlock.
 * Retried movements (`on conflict do nothing`) are not in the transition table, so they
 * are never counted twice.
 *
 * When its log rows cross a multiple of {@link FOLD_EVERY}, the statement tries a fold
 * (`fold_master`, which skips when another fold runs and never waits on a push), so the
 * log stays short without any job. Security definer: devices may not write these tables;
 * the body takes no input but the inserted rows.
 */
const COUNT_MOVEMENTS = `create or replace function ${s}.count_movements() returns trigger
language plpgsql security definer set search_path = '' as $inv$
declare
  v_first bigint;
  v_last bigint;
begin
  with batch as (
    select m.tenant_id, m.sku, sum(m.delta) as delta
      from new_movements m
     where not m.deleted
     group by m.tenant_id, m.sku
    having sum(m.delta) <> 0
  ),
  totals as (
    insert into public.stock_levels as t (tenant_id, sku, quantity)
    select b.tenant_id, b.sku, b.delta from batch b order by b.sku, b.tenant_id
    on conflict (tenant_id, sku) do update set quantity = t.quantity + excluded.quantity
    returning t.tenant_id, t.sku, t.quantity
  ),
  logged as (
    insert into ${s}.master_deltas (sku, quantity, tenants)
    select c.sku, sum(b.delta),
           sum((c.quantity <> 0)::integer - ((c.quantity - b.delta) <> 0)::integer)::integer
      from totals c
      join batch b on b.tenant_id = c.tenant_id and b.sku = c.sku
     group by c.sku
    returning id
  )
  select min(l.id), max(l.id) into v_first, v_last from logged l;
  -- Only in read committed: the fold's deletions need a snapshot taken after its lock.
  if v_last / ${FOLD_EVERY} > (v_first - 1) / ${FOLD_EVERY}
     and pg_catalog.current_setting('transaction_isolation') = 'read committed' then
    perform ${s}.fold_master(false);
  end if;
  return null;
end
$inv$;
revoke all on function ${s}.count_movements() from public, anon, authenticated, service_role;`;

/**
 * The totals tables, created and filled from the movements already there in the same
 * transaction as the trigger that keeps them: the lock makes concurrent inserts wait for
 * the trigger, so no movement is counted twice or missed. A master filled so is whole, so
 * any delta rows already logged are dropped with it. Later runs only re-create the
 * trigger, and turn a `bigint` quantity an earlier version left into `numeric` (the column
 * is rewritten only while it is not numeric yet). The trigger fires for ordinary sessions
 * only (not under `session_replication_role = replica`), so a restore that loads the
 * totals with the movements does not count twice.
 *
 * Upgrading a cloud whose trigger still updated `master_inventory` in place keeps it as
 * the folded part of the master: the old trigger added each batch to it, the new one logs
 * it instead, and a read sums both, so a batch counted either way (before the upgrade
 * commits, or after) is counted once. The lock still makes the switch wait for pushes in
 * flight, so none straddles it.
 */
const TOTALS = `do $inv$
begin
  lock table public.stock_movements in share row exclusive mode;
  if pg_catalog.to_regclass('public.stock_levels') is null then
    create table public.stock_levels (
      tenant_id text not null,
      sku text not null,
      quantity numeric not null,
      primary key (tenant_id, sku)
    );
    insert into public.stock_levels (tenant_id, sku, quantity)
    select tenant_id, sku, sum(delta) from public.stock_movements where not deleted group by tenant_id, sku;
  elsif (select a.atttypid from pg_catalog.pg_attribute a
          where a.attrelid = 'public.stock_levels'::regclass and a.attname = 'quantity') <> 'pg_catalog.numeric'::regtype then
    alter table public.stock_levels alter column quantity type numeric;
  end if;
  if pg_catalog.to_regclass('${s}.master_inventory') is null then
    -- tenants >= 0 holds by construction; a CHECK cannot say so, as it would also judge the
    -- upsert's candidate row, which carries the (possibly negative) change.
    create table ${s}.master_inventory (
      sku text primary key,
      quantity numeric not null,
      tenants integer not null
    );
    insert into ${s}.master_inventory (sku, quantity, tenants)
    select sku, sum(quantity), (count(*) filter (where quantity <> 0))::integer from public.stock_levels group by sku;
    delete from ${s}.master_deltas;
  elsif (select a.atttypid from pg_catalog.pg_attribute a
          where a.attrelid = '${s}.master_inventory'::regclass and a.attname = 'quantity') <> 'pg_catalog.numeric'::regtype then
    alter table ${s}.master_inventory alter column quantity type numeric;
  end if;
  create or replace trigger inventory_count_movements after insert on public.stock_movements
    referencing new table as new_movements
    for each statement execute function ${s}.count_movements();
end
$inv$;

-- A tenant reads its own totals (GET /rest/v1/stock_levels); only the trigger writes them.
alter table public.stock_levels enable row level security;
revoke all on table public.stock_levels from public, anon, authenticated, service_role;
grant select on table public.stock_levels to authenticated, service_role;
do $inv$
begin
  if exists (select 1 from pg_catalog.pg_policy
              where polrelid = 'public.stock_levels'::regclass and polname = 'inventory_tenant_select') then
    alter policy inventory_tenant_select on public.stock_levels to authenticated
      using (tenant_id = (select equinox.jwt_tenant()));
  else
    create policy inventory_tenant_select on public.stock_levels as permissive for select to authenticated
      using (tenant_id = (select equinox.jwt_tenant()));
  end if;
end
$inv$;
revoke all on table ${s}.master_inventory from public, anon, authenticated, service_role;`;

/**
 * Most SKUs one `inventory_master` page holds: the API's row cap (PostgREST `max-rows`,
 * 1,000 on Supabase), though a page is one `jsonb` value, which that cap does not cut.
 *
 * @example
 * await cloud.rpc('inventory_master', { p_after: null, p_limit: MASTER_PAGE_LIMIT });
 */
export const MASTER_PAGE_LIMIT = 1000;

/**
 * `inventory_master(p_after, p_limit)`: one page of the master inventory, for head office
 * only: the SKUs after `p_after` (`null`: from the first), in SKU order, at most `p_limit`
 * (1 to {@link MASTER_PAGE_LIMIT}), as one `jsonb` array of `{ sku, quantity, tenants }`.
 * A reader asks for the next page after the last SKU until a page comes back short. One
 * value, so no cap of the API cuts it; pages, so no answer grows with the catalogue.
 *
 * Security definer, as it reads across tenants; so it checks the caller's claims itself
 * (`eq_role` as `equinox.jwt_claim` reads it: from `app_metadata`, which only the service
 * key writes, or a top-level claim, never `user_metadata`) and refuses a store's token with
 * SQLSTATE 42501, which PostgREST answers with 403. Quantities are `numeric`, a JSON number.
 * Totals are exact: the folded master plus the deltas not folded yet (`master_levels`).
 * Earlier versions took no arguments and returned a table, cut at 1,000 rows by the API:
 * that signature is dropped, as is one of these arguments returning anything but `jsonb`.
 */
const MASTER_FUNCTION = `drop function if exists public.inventory_master();
do $inv$
begin
  if exists (select 1 from pg_catalog.pg_proc p
              where p.oid = pg_catalog.to_regprocedure('public.inventory_master(text, integer)')
                and p.prorettype <> 'pg_catalog.jsonb'::pg_catalog.regtype) then
    drop function public.inventory_master(text, integer);
  end if;
end
$inv$;
create or replace function public.inventory_master(p_after text default null, p_limit integer default ${MASTER_PAGE_LIMIT})
returns jsonb
language plpgsql stable security definer set search_path = ''
-- The page is a merge of two index ranges, summed per SKU as they stream and stopped at the
-- page's end. The planner cannot tell how many SKUs the sums leave, so it would hash the
-- whole rest of the catalogue first; without hashing it streams.
set enable_hashagg = off as $inv$
begin
  if coalesce((select equinox.jwt_claim('eq_role')), '') <> 'master' and coalesce(auth.jwt() ->> 'role', '') <> 'service_role' then
    raise exception 'the master inventory is for head office: this token has no eq_role "master" claim'
      using errcode = 'insufficient_privilege', hint = 'Use a head-office token (equinox cloud token --role master).';
  end if;
  -- Keyset on the SKU, which reaches the indexes of the folded rows and of the deltas:
  -- each page is two index ranges merged, however far in it starts. One statement, one
  -- snapshot: a fold committing meanwhile cannot make a total count twice or vanish.
  return (
    select coalesce(jsonb_agg(jsonb_build_object('sku', m.sku, 'quantity', m.quantity, 'tenants', m.tenants) order by m.sku), '[]'::jsonb)
      from (select l.sku, l.quantity, l.tenants from ${s}.master_levels l
             where l.tenants > 0 and (p_after is null or l.sku > p_after)
             order by l.sku
             limit least(greatest(coalesce(p_limit, ${MASTER_PAGE_LIMIT}), 1), ${MASTER_PAGE_LIMIT})) m);
end
$inv$;
revoke all on function public.inventory_master(text, integer) from public, anon, authenticated, service_role;
grant execute on function public.inventory_master(text, integer) to authenticated, service_role;`;

/**
 * The inventory's cloud SQL, appended after core's migration (which creates
 * `public.products` and `public.stock_movements`). Idempotent, no extension, runs
 * unchanged on Supabase. It adds:
 *
 * - CHECK constraints on movements: `delta <> 0`, `reason` one of {@link STOCK_REASONS}
 *   (core already refuses UPDATE, DELETE and TRUNCATE of them for every role);
 * - `public.stock_levels (tenant_id, sku, quantity)`: each tenant's totals, readable by the
 *   tenant (row-level security), kept by a statement trigger on movement inserts with
 *   constant work per movement, never re-aggregated;
 * - the master inventory, the totals over every tenant, kept without a hot row: the same
 *   trigger appends each batch's change per SKU to `equinox_inventory.master_deltas`
 *   (inserts, which never wait on one another), `equinox_inventory.fold_master()` moves
 *   the deltas into `equinox_inventory.master_inventory (sku, quantity, tenants)` (pushes
 *   call it every {@link FOLD_EVERY} delta rows and never wait for it), and
 *   `equinox_inventory.master_levels` is both summed, exact at any moment. Quantities are
 *   `numeric`, so no total can overflow and refuse a later movement (each movement's
 *   `delta` is bounded by the manifest);
 * - `public.inventory_master(p_after, p_limit)`: that aggregate, a page of SKUs at a time,
 *   for a token with `eq_role: 'master'` (or the service role); 403 for any other.
 *
 * @example
 * await applySql(cloud, compileServerSchema([inventoryPlugin])); // includes INVENTORY_SERVER_SQL
 */
export const INVENTORY_SERVER_SQL: string = `-- @equinox-sync/plugin-inventory: movement rules, stock totals, the master inventory. Idempotent.
select pg_catalog.pg_advisory_xact_lock(${MIGRATION_LOCK_KEY});
create schema if not exists ${s};
revoke all on schema ${s} from public;

${MOVEMENT_RULES}

${DELTA_LOG_SQL}

${FOLD_FUNCTION_SQL}

${COUNT_MOVEMENTS}

${TOTALS}

${MASTER_LEVELS_SQL}

${MASTER_FUNCTION}
`;
