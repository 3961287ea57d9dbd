import type { ConflictRecord } from '@equinox-sync/core';
import { EquinoxCommand } from '../../cli/equinox-command.js';
import { withHost } from '../../cli/open-host.js';
import { printTable } from '../../cli/print-table.js';

export default class ConflictsList extends EquinoxCommand<typeof ConflictsList> {
  static override summary = 'List the conflicts waiting for a person (tables with the Manual strategy).';
  static override examples = ['<%= config.bin %> conflicts list', '<%= config.bin %> conflicts list --json'];

  async run(): Promise<ConflictRecord[]> {
    const conflicts = await withHost(this, (host) => host.conflicts.list());
    if (conflicts.length === 0) this.log('No conflicts.');
    else {
      printTable(
        this,
        ['table', 'id', 'field', 'local', 'remote'],
        conflicts.flatMap((c) => differingFields(c).map((field, i) => [i === 0 ? c.table : '', i === 0 ? c.id : '', field, show(c.local[field]), show(c.remote[field])])),
      );
      this.log('Resolve with: equinox conflicts resolve ID --pick local|remote|merged [--row FILE]');
    }
    return conflicts;
  }
}

function differingFields(conflict: ConflictRecord): string[] {
  const ignored = new Set(['updated_at', 'server_version', 'txid', 'tenant_id', 'id']);
  const fields = Object.keys(conflict.local).filter((key) => !ignored.has(key) && JSON.stringify(conflict.local[key]) !== JSON.stringify(conflict.remote[key]));
  return fields.length > 0 ? fields : ['(same values)'];
}

function show(value: unknown): string {
  return value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
}
