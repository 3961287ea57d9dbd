import { EquinoxCommand, printTable, withHost } from '@equinox-sync/host/command-kit';
import { InventoryApi, type StockLevel } from '../../index.js';

export default class InventoryLevels extends EquinoxCommand<typeof InventoryLevels> {
  static override summary = 'Show the stock of every SKU on this device.';
  static override description =
    "Levels are the sum of the device's stock movements, its own and those pulled from the tenant's other devices; " +
    'run equinox sync first to include the latest.';
  static override examples = ['<%= config.bin %> inventory levels', '<%= config.bin %> inventory levels --json'];

  async run(): Promise<StockLevel[]> {
    const levels = await withHost(this, (host) => host.api(InventoryApi).levels());
    if (levels.length === 0) this.log('No stock movements yet.');
    else printTable(this, ['sku', 'quantity'], levels.map((level) => [level.sku, String(level.quantity)]));
    return levels;
  }
}
