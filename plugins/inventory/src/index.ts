/** @equinox-sync/plugin-inventory — products, stock as movements, and the master inventory. */
export { inventoryPlugin, activate } from './inventory-plugin.js';
