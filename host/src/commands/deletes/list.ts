import type { PendingDelete } from '@equinox-sync/core';
import { EquinoxCommand } from '../../cli/equinox-command.js';
import { withHost } from '../../cli/open-host.js';
import { printTable } from '../../cli/print-table.js';

export default class DeletesList extends EquinoxCommand<typeof DeletesList> {
  static override summary = 'List local deletes waiting for confirmation before they reach the cloud.';
  static override examples = ['<%= config.bin %> deletes list', '<%= config.bin %> deletes list --json'];

  async run(): Promise<PendingDelete[]> {
    const deletes = await withHost(this, (host) => host.deletes.list());
    if (deletes.length === 0) this.log('No deletes waiting for confirmation.');
    else {
      printTable(this, ['table', 'id'], deletes.map((d) => [d.table, d.id]));
      this.log('Confirm with: equinox deletes confirm ID... or --all');
    }
    return deletes;
  }
}
