import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { pluginFromPackageJson, type PluginContext } from '@equinox-sync/core';

const manifestPath = fileURLToPath(new URL('../package.json', import.meta.url));

/**
 * Products are edited anywhere and the later edit wins (`tax_rate_bp` is in basis
 * points, 2100 = 21 %, so rates stay exact integers). Stock travels as signed
 * movements, never as an overwritten quantity: two tills selling offline must both
 * count. The tables are declared in package.json (`equinox.contributes.tables`).
 *
 * @example
 * const products = inventoryPlugin.tables.find((table) => table.name === 'products');
 */
export const inventoryPlugin = pluginFromPackageJson(JSON.parse(readFileSync(manifestPath, 'utf8')), {
  source: manifestPath,
});

/**
 * Called by the host when it starts. Inventory has no hooks yet: its rules are declared
 * in the manifest and enforced by core and the cloud.
 *
 * @example
 * await activate(context);
 */
export function activate(context: PluginContext): void {
  context.logger.debug(`activated with tables ${inventoryPlugin.tables.map((table) => table.name).join(', ')}`);
}
