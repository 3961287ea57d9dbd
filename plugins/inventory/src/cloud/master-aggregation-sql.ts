import { INVENTORY_SCHEMA } from './inventory-schema.js';

const s = INVENTORY_SCHEMA;

/**
 * SQL that turns the inventory's aggregation off or on in a cloud, for benchmarks that
 * measure a workload against itself without it (the limit the aggregation is judged by).
 * Run it as the schema's owner (the role migrations run as; no superuser needed).
 *
 * - `false`: disables the `inventory_count_movements` trigger, so movement inserts update
 *   neither the tenants' totals nor the master inventory.
 * - `true`: enables the trigger again and recounts `stock_levels` and the master from the
 *   movements, with the movements table locked meanwhile, so the totals are exact again,
 *   movements inserted while it was off included. It reads every movement once: seconds
 *   at a million.
 *
 * Not for a cloud in service: while off, stock totals stand still for every tenant.
 *
 * @example
 * await pg.query(masterAggregationSql(false));
 * await runWorkload(); // the limit
 * await pg.query(masterAggregationSql(true));
 * await runWorkload(); // with the aggregation
 */
export function masterAggregationSql(enabled: boolean): string {
  if (!enabled) return 'alter table public.stock_movements disable trigger inventory_count_movements;';
  // One statement (a DO block), so it is one transaction however a client sends it.
  return `do $inv$
begin
  lock table public.stock_movements in share row exclusive mode;
  delete from ${s}.master_deltas;
  delete from ${s}.master_inventory;
  delete from public.stock_levels;
  insert into public.stock_levels (tenant_id, sku, quantity)
  select tenant_id, sku, sum(delta) from public.stock_movements where not deleted group by tenant_id, sku;
  insert into ${s}.master_inventory (sku, quantity, tenants)
  select sku, sum(quantity), (count(*) filter (where quantity <> 0))::integer from public.stock_levels group by sku;
  alter table public.stock_movements enable trigger inventory_count_movements;
end
$inv$;`;
}
