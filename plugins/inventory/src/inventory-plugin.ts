import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { pluginFromPackageJson, type PluginContext } from '@equinox-sync/core/plugin';
import { INVENTORY_SERVER_SQL } from './cloud/inventory-server-sql.js';
import { stockPanel } from './inspector/stock-panel.js';
import type { InventoryApi } from './inventory-api.js';
import { createInventoryApi } from './inventory-service.js';
import { movementProblem } from './stock-rules.js';

const manifestPath = fileURLToPath(new URL('../package.json', import.meta.url));

/**
 * Products are edited anywhere and the later edit wins (`tax_rate_bp` is in basis
 * points, 2100 = 21 %, so rates stay exact integers). Stock travels as signed
 * movements, never as an overwritten quantity: two tills selling offline must both
 * count. The tables are declared in package.json (`equinox.contributes.tables`); the
 * cloud SQL (movement rules, totals, the master inventory) is code, so it is added here.
 *
 * @example
 * const products = inventoryPlugin.tables.find((table) => table.name === 'products');
 */
export const inventoryPlugin = pluginFromPackageJson(JSON.parse(readFileSync(manifestPath, 'utf8')), {
  source: manifestPath,
  serverSql: INVENTORY_SERVER_SQL,
});

/**
 * The inventory's cloud SQL, which the host adds to the definition it derives from the
 * manifest (a manifest cannot hold code).
 *
 * @example
 * compileServerSchema([{ ...manifest.definition, serverSql }]);
 */
export const serverSql: string = INVENTORY_SERVER_SQL;

/**
 * Called by the host when it starts. Holds back from upload any movement that breaks
 * the rules the cloud enforces (written with plain SQL, say), with the reason, adds the
 * device inspector's "Stock" panel, and returns the {@link InventoryApi}.
 *
 * @example
 * const inventory = host.api<InventoryApi>('@equinox-sync/plugin-inventory');
 */
export function activate(context: PluginContext): InventoryApi {
  context.subscriptions.push(
    context.hooks.register({
      tables: ['stock_movements'],
      validate: (_table, row) => movementProblem(row),
    }),
  );
  const inventory = createInventoryApi(context);
  context.subscriptions.push(context.inspector.registerPanel(stockPanel(inventory, context.device)));
  return inventory;
}
