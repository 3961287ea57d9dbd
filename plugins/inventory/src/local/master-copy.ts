import type { PluginStore } from '@equinox-sync/core/plugin';

/**
 * One SKU of the master inventory: its stock summed over every tenant, and how many
 * tenants hold it (have a non-zero total).
 *
 * @example
 * const line: MasterLevel = { sku: 'COFFEE-1KG', quantity: 24, tenants: 2 };
 */
export interface MasterLevel {
  readonly sku: string;
  readonly quantity: number;
  readonly tenants: number;
}

/**
 * A head-office device's local copy of the master inventory: local tables declared in
 * the manifest (`contributes.localTables`), not synced ones (the cloud's aggregate spans
 * tenants, which tenant-scoped pulls cannot carry). Core keeps them read-only to
 * everyone but the plugin's store. `quantity` is `real`: the cloud's totals are `numeric`
 * and reach the device as the nearest double, however large.
 */
const MASTER_COPY = 'master_inventory';
/** One row, `id` 1: when the copy was last replaced. */
const MASTER_REFRESH = 'master_inventory_refresh';

/**
 * Replaces the local copy with `levels` in one transaction: a reader sees the old copy or
 * the new one, never a mix. `levels` must be the whole master inventory (every page of
 * `inventory_master`): a SKU missing from it is gone from the copy.
 *
 * @example
 * replaceMasterCopy(context.store, [{ sku: 'COFFEE-1KG', quantity: 24, tenants: 2 }], Date.now());
 */
export function replaceMasterCopy(store: PluginStore, levels: readonly MasterLevel[], refreshedAt: number): void {
  store.transaction(() => {
    store.local.replaceAll(MASTER_COPY, levels.map(({ sku, quantity, tenants }) => ({ sku, quantity, tenants })));
    store.local.upsert(MASTER_REFRESH, { id: 1, refreshed_at: refreshedAt });
  });
}

/**
 * The local copy, by SKU.
 *
 * @example
 * readMasterCopy(context.store); // [{ sku: 'COFFEE-1KG', quantity: 24, tenants: 2 }]
 */
export function readMasterCopy(store: PluginStore): MasterLevel[] {
  return store.local.query(MASTER_COPY).map((row) => ({ sku: String(row.sku), quantity: Number(row.quantity), tenants: Number(row.tenants) }));
}

/**
 * When the local copy was last replaced (ms), or null if never.
 *
 * @example
 * masterRefreshedAt(context.store); // 1764170000000
 */
export function masterRefreshedAt(store: PluginStore): number | null {
  const refreshedAt = store.local.query(MASTER_REFRESH, { id: 1 })[0]?.refreshed_at;
  return typeof refreshedAt === 'number' ? refreshedAt : null;
}
