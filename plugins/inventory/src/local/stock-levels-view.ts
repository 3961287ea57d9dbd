import type { DeviceDatabase } from './device-database.js';

/**
 * The device's stock levels, derived from its movements and never edited: a view, not a
 * table, so nothing can drift from the movements and nothing syncs. Pulled movements of
 * the tenant's other devices count as soon as they arrive. Grouping walks the movements'
 * `sku` index.
 *
 * @example
 * db.prepare('SELECT quantity FROM stock_levels WHERE sku = ?').pluck().get('COFFEE-1KG');
 */
export const STOCK_LEVELS_VIEW = 'stock_levels';

const VIEW_SQL = `CREATE VIEW ${STOCK_LEVELS_VIEW} (sku, quantity) AS
  SELECT sku, SUM(delta) FROM stock_movements WHERE deleted = 0 GROUP BY sku`;

/**
 * Creates the view, or replaces a view of that name whose definition differs (an older
 * version of the plugin), in one transaction.
 *
 * @example
 * installStockLevelsView(db);
 */
export function installStockLevelsView(db: DeviceDatabase): void {
  const current = db.prepare(`SELECT type, sql FROM sqlite_schema WHERE name = ?`).get(STOCK_LEVELS_VIEW) as { type: string; sql: string } | undefined;
  if (current?.type === 'view' && current.sql === VIEW_SQL) return;
  if (current !== undefined && current.type !== 'view') {
    throw new Error(`the device database has a ${current.type} named "${STOCK_LEVELS_VIEW}"; the inventory plugin needs that name for its view`);
  }
  db.transaction(() => {
    db.exec(`DROP VIEW IF EXISTS ${STOCK_LEVELS_VIEW}`);
    db.exec(VIEW_SQL);
  }).immediate();
}
