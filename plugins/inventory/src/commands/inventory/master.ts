import { Flags } from '@oclif/core';
import { EquinoxCommand, printTable, withHost } from '@equinox-sync/host/command-kit';
import { InventoryApi, type MasterLevel } from '../../index.js';

export default class InventoryMaster extends EquinoxCommand<typeof InventoryMaster> {
  static override summary = 'Show the master inventory: every SKU\'s stock over all tenants (head office only).';
  static override description =
    'Pulls the cloud\'s master inventory into the device\'s local copy, then shows it: per SKU the total over every ' +
    'tenant and how many tenants hold it. Only a device initialised with --role master (a token with eq_role "master") ' +
    'may read it. --offline shows the copy pulled last time without asking the cloud.';
  static override examples = ['<%= config.bin %> inventory master --config head-office.json', '<%= config.bin %> inventory master --offline --json'];
  static override flags = {
    offline: Flags.boolean({ summary: 'Show the local copy pulled last time; do not ask the cloud.' }),
  };

  async run(): Promise<MasterLevel[]> {
    const { levels, refreshedAt } = await withHost(this, async (host) => {
      const inventory = host.api(InventoryApi);
      return { levels: await inventory.master({ refresh: !this.flags.offline }), refreshedAt: inventory.masterRefreshedAt() };
    });
    if (levels.length === 0) this.log(refreshedAt === null ? 'The master inventory was never pulled on this device.' : 'No tenant holds any stock.');
    else printTable(this, ['sku', 'quantity', 'tenants'], levels.map((level) => [level.sku, String(level.quantity), String(level.tenants)]));
    if (refreshedAt !== null) this.log(`As of ${new Date(refreshedAt).toISOString()}.`);
    return levels;
  }
}
