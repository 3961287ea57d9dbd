import { EquinoxCommand } from '../../cli/equinox-command.js';
import { withHost } from '../../cli/open-host.js';
import { printTable } from '../../cli/print-table.js';
import { declaredColumns, rowPreview } from '../../cli/row-preview.js';
import type { HeldDelete } from '../../host/held-delete.js';

export default class DeletesList extends EquinoxCommand<typeof DeletesList> {
  static override summary = 'List local deletes waiting for confirmation before they reach the cloud, each with the row it removes.';
  static override description = 'The row column shows the row\'s own columns, cut to fit; --json gives each delete with the whole row.';
  static override examples = ['<%= config.bin %> deletes list', '<%= config.bin %> deletes list --json'];

  async run(): Promise<HeldDelete[]> {
    const { deletes, columns } = await withHost(this, (host) => ({ deletes: host.deletes.list(), columns: declaredColumns(host.definitions()) }));
    if (deletes.length === 0) this.log('No deletes waiting for confirmation.');
    else {
      printTable(this, ['table', 'id', 'row'], deletes.map((d) => [d.table, d.id, rowPreview(d.row, columns.get(d.table) ?? [])]));
      this.log('Confirm with: equinox deletes confirm ID... or --all');
    }
    return deletes;
  }
}
