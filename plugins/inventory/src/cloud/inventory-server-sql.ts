import { STOCK_REASONS } from '../stock-rules.js';

/**
 * The private schema of the inventory's cloud objects. PostgREST does not expose it:
 * the cross-tenant aggregate is reached only through `public.inventory_master()`.
 *
 * @example
 * await pg.query(`select * from ${INVENTORY_SCHEMA}.master_inventory`);
 */
export const INVENTORY_SCHEMA = 'equinox_inventory';

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
 * their deltas summed per tenant and SKU, one upsert per pair into the tenant totals,
 * then one per SKU into the master inventory. Work grows with the batch, never with the
 * history. Sums are `numeric`, which has no practical bound: no total, however large one
 * tenant makes it, can fail a later movement of that SKU, its own or another tenant's. `tenants` moves by one when a tenant's total leaves zero or returns to it.
 * Rows are upserted in SKU order, so two batches lock shared rows in the same order and
 * cannot deadlock. Retried movements (`on conflict do nothing`) are not in the
 * transition table, so they are never counted twice. Security definer: devices may not
 * write either table; the body takes no input but the inserted rows.
 */
const COUNT_MOVEMENTS = `create or replace function ${s}.count_movements() returns trigger
language plpgsql security definer set search_path = '' as $inv$
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
  )
  insert into ${s}.master_inventory as m (sku, quantity, tenants)
  select c.sku, sum(b.delta),
         sum((c.quantity <> 0)::integer - ((c.quantity - b.delta) <> 0)::integer)::integer
    from totals c
    join batch b on b.tenant_id = c.tenant_id and b.sku = c.sku
   group by c.sku
   order by c.sku
  on conflict (sku) do update set quantity = m.quantity + excluded.quantity, tenants = m.tenants + excluded.tenants;
  return null;
end
$inv$;
revoke all on function ${s}.count_movements() from public, anon, authenticated, service_role;`;

/**
 * The totals tables, created and filled from the movements already there in the same
 * transaction as the trigger that keeps them: the lock makes concurrent inserts wait for
 * the trigger, so no movement is counted twice or missed. Later runs only re-create the
 * trigger, and turn a `bigint` quantity an earlier version left into `numeric` (the column
 * is rewritten only while it is not numeric yet). The trigger fires for ordinary sessions
 * only (not under `session_replication_role = replica`), so a restore that loads the
 * totals with the movements does not count twice.
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

/** What `inventory_master()` returns, as `pg_get_function_result` spells it. */
const MASTER_RESULT = 'TABLE(sku text, quantity numeric, tenants integer)';

/**
 * `inventory_master()`: the master inventory, for head office only. Security definer, as
 * it reads across tenants; so it checks the caller's claims itself (`eq_role` as
 * `equinox.jwt_claim` reads it: from `app_metadata`, which only the service key writes,
 * or a top-level claim, never `user_metadata`) and refuses a store's token with SQLSTATE
 * 42501, which PostgREST answers with 403. Quantities are `numeric`, a JSON number over
 * REST. An earlier version returned `bigint`; a return type cannot be replaced, so that
 * function is dropped first (only then).
 */
const MASTER_FUNCTION = `do $inv$
begin
  if exists (select 1 from pg_catalog.pg_proc p
              where p.oid = pg_catalog.to_regprocedure('public.inventory_master()')
                and pg_catalog.pg_get_function_result(p.oid) <> '${MASTER_RESULT}') then
    drop function public.inventory_master();
  end if;
end
$inv$;
create or replace function public.inventory_master()
returns ${MASTER_RESULT}
language plpgsql stable security definer set search_path = '' as $inv$
begin
  if coalesce((select equinox.jwt_claim('eq_role')), '') <> 'master' and coalesce(auth.jwt() ->> 'role', '') <> 'service_role' then
    raise exception 'the master inventory is for head office: this token has no eq_role "master" claim'
      using errcode = 'insufficient_privilege', hint = 'Use a head-office token (equinox cloud token --role master).';
  end if;
  return query
    select m.sku, m.quantity, m.tenants from ${s}.master_inventory m where m.tenants > 0 order by m.sku;
end
$inv$;
revoke all on function public.inventory_master() from public, anon, authenticated, service_role;
grant execute on function public.inventory_master() to authenticated, service_role;`;

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
 * - `equinox_inventory.master_inventory (sku, quantity, tenants)`: the totals over every
 *   tenant, kept by the same trigger. Quantities are `numeric`, so no total can overflow
 *   and refuse a later movement (each movement's `delta` is bounded by the manifest);
 * - `public.inventory_master()`: that aggregate for a token with `eq_role: 'master'` (or
 *   the service role); 403 for any other.
 *
 * @example
 * await applySql(cloud, compileServerSchema([inventoryPlugin])); // includes INVENTORY_SERVER_SQL
 */
export const INVENTORY_SERVER_SQL: string = `-- @equinox-sync/plugin-inventory: movement rules, stock totals, the master inventory. Idempotent.
select pg_catalog.pg_advisory_xact_lock(${MIGRATION_LOCK_KEY});
create schema if not exists ${s};
revoke all on schema ${s} from public;

${MOVEMENT_RULES}

${COUNT_MOVEMENTS}

${TOTALS}

${MASTER_FUNCTION}
`;
