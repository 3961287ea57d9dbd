import { INVENTORY_SCHEMA } from './inventory-schema.js';

const s = INVENTORY_SCHEMA;

/**
 * A push tries a fold when the delta rows it logged cross a multiple of this many (the
 * log's identity counts them, so deciding costs nothing). It bounds what a read adds to
 * the master rows to a few thousand small rows, and a fold's work to about this many
 * deletions plus one upsert per SKU they name.
 */
export const FOLD_EVERY = 1000;

/**
 * One fold at a time: a second would wait on the first's deletions. A fold that cannot
 * take it leaves the work to the one running, never waits (unless asked to).
 */
const FOLD_LOCK_KEY = 7_310_593_142_305_034;

/**
 * The master's pending changes: one row per SKU a movement statement changed, carrying
 * that statement's change of the SKU's total and of the number of tenants holding it.
 * Pushes only insert here, and inserts never wait on one another, whichever tenants they
 * come from: this is what keeps the master free of hot rows. No primary key, as nothing
 * looks a row up; the index keeps a page of the master a range read. Created before the
 * trigger function that writes it, so a migration applied statement by statement works
 * at every step.
 */
export const DELTA_LOG_SQL = `create table if not exists ${s}.master_deltas (
  id bigint generated always as identity,
  sku text not null,
  quantity numeric not null,
  tenants integer not null
);
create index if not exists master_deltas_sku on ${s}.master_deltas (sku);
revoke all on table ${s}.master_deltas from public, anon, authenticated, service_role;`;

/**
 * `equinox_inventory.fold_master(p_wait)`: moves every delta row this transaction can see
 * into `master_inventory` and deletes them, in one statement, so a reader sees either the
 * rows or their sum in the master, never both and never neither. Deltas of pushes still
 * open are invisible to it and stay for the next fold; nothing is lost or counted twice.
 * Returns how many delta rows it folded: 0 when another fold holds the lock (`p_wait`
 * false, as pushes call it) or nothing was pending.
 *
 * It never waits on a push: pushes do not lock the delta rows it deletes nor the master
 * rows it updates; only another fold does, and the lock keeps that one out. Run it in a
 * read-committed transaction (as a lone `select` is); the push trigger only calls it in one.
 * Security definer, for the service role and the owner (a maintenance job may call it;
 * nothing needs it for exactness, only to keep reads short).
 */
export const FOLD_FUNCTION_SQL = `create or replace function ${s}.fold_master(p_wait boolean default false) returns bigint
language plpgsql volatile security definer set search_path = '' as $inv$
declare
  v_folded bigint;
begin
  if p_wait then
    perform pg_catalog.pg_advisory_xact_lock(${FOLD_LOCK_KEY});
  elsif not pg_catalog.pg_try_advisory_xact_lock(${FOLD_LOCK_KEY}) then
    return 0;
  end if;
  with moved as (
    delete from ${s}.master_deltas d returning d.sku, d.quantity, d.tenants
  ),
  summed as (
    select m.sku, sum(m.quantity) as quantity, sum(m.tenants)::integer as tenants, count(*) as n
      from moved m
     group by m.sku
  ),
  folded as (
    insert into ${s}.master_inventory as t (sku, quantity, tenants)
    select u.sku, u.quantity, u.tenants from summed u where u.quantity <> 0 or u.tenants <> 0 order by u.sku
    on conflict (sku) do update set quantity = t.quantity + excluded.quantity, tenants = t.tenants + excluded.tenants
  )
  select coalesce(sum(u.n), 0) into v_folded from summed u;
  return v_folded;
end
$inv$;
revoke all on function ${s}.fold_master(boolean) from public, anon, authenticated, service_role;
grant execute on function ${s}.fold_master(boolean) to service_role;`;

/**
 * `equinox_inventory.master_levels (sku, quantity, tenants)`: the master inventory as it
 * stands, the folded rows plus the deltas not folded yet, per SKU. One statement reads
 * both, so one snapshot: a fold committing meanwhile cannot make a total count twice or
 * vanish. Conditions on `sku` reach both tables' indexes, so a page stays a range read.
 * Readable by the owner (a back-office query); the API reads it through `inventory_master`.
 */
export const MASTER_LEVELS_SQL = `create or replace view ${s}.master_levels as
select u.sku, sum(u.quantity) as quantity, sum(u.tenants)::integer as tenants
  from (select m.sku, m.quantity, m.tenants from ${s}.master_inventory m
        union all
        select d.sku, d.quantity, d.tenants from ${s}.master_deltas d) u
 group by u.sku;
revoke all on table ${s}.master_levels from public, anon, authenticated, service_role;`;
