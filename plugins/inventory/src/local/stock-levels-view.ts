import type { PluginStore } from '@equinox-sync/core/plugin';
import type { StockLevel } from '../inventory-api.js';

/**
 * The device's stock levels, derived from its movements and never edited: a view
 * declared in the manifest (`contributes.views`), not a table, so nothing can drift from
 * the movements and nothing syncs. Pulled movements of the tenant's other devices count
 * as soon as they arrive. Grouping walks the movements' `sku` index.
 *
 * @example
 * db.prepare('SELECT quantity FROM stock_levels WHERE sku = ?').pluck().get('COFFEE-1KG'); // a host app, with plain SQL
 */
export const STOCK_LEVELS_VIEW = 'stock_levels';

/**
 * Stock per SKU on this device, by SKU.
 *
 * @example
 * readLevels(context.store); // [{ sku: 'COFFEE-1KG', quantity: 7 }]
 */
export function readLevels(store: PluginStore): StockLevel[] {
  return store.view(STOCK_LEVELS_VIEW, {}, { orderBy: ['sku'] }).map((row) => ({ sku: String(row.sku), quantity: Number(row.quantity) }));
}

/**
 * One SKU's stock on this device: 0 without movements.
 *
 * @example
 * readLevel(context.store, 'COFFEE-1KG'); // 7
 */
export function readLevel(store: PluginStore, sku: string): number {
  return Number(store.view(STOCK_LEVELS_VIEW, { sku })[0]?.quantity ?? 0);
}
