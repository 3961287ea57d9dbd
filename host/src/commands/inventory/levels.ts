import type { InventoryApi, StockLevel } from '@equinox-sync/plugin-inventory';
import { EquinoxCommand } from '../../cli/equinox-command.js';
import { withHost } from '../../cli/open-host.js';
import { printTable } from '../../cli/print-table.js';

export default class InventoryLevels extends EquinoxCommand<typeof InventoryLevels> {
  static override summary = 'Show the stock of every SKU on this device.';
  static override description =
    "Levels are the sum of the device's stock movements, its own and those pulled from the tenant's other devices; " +
    'run equinox sync first to include the latest.';
  static override examples = ['<%= config.bin %> inventory levels', '<%= config.bin %> inventory levels --json'];

  async run(): Promise<StockLevel[]> {
    const levels = await withHost(this.flags.config, (host) => host.api<InventoryApi>('@equinox-sync/plugin-inventory').levels());
    if (levels.length === 0) this.log('No stock movements yet.');
    else printTable(this, ['sku', 'quantity'], levels.map((level) => [level.sku, String(level.quantity)]));
    return levels;
  }
}
