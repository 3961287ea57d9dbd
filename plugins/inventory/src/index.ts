/** @equinox-sync/plugin-inventory — products, stock as movements, and the master inventory. */
export { inventoryPlugin, activate, serverSql } from './inventory-plugin.js';
export { InventoryApi, type AdjustInput, type MasterOptions, type Product, type ProductInput, type StockLevel, type StockMovement } from './inventory-api.js';
export { MasterAccessError } from './inventory-service.js';
export type { MasterLevel } from './local/master-copy.js';
export { STOCK_LEVELS_VIEW } from './local/stock-levels-view.js';
export { INVENTORY_SCHEMA, INVENTORY_SERVER_SQL } from './cloud/inventory-server-sql.js';
export { productId } from './product-id.js';
export { InventoryInputError, MAX_MOVEMENT_DELTA, movementProblem, STOCK_REASONS, type StockReason } from './stock-rules.js';
export { masterAggregationSql } from './cloud/master-aggregation-sql.js';
export { FOLD_EVERY } from './cloud/master-fold-sql.js';
