import { Args, Flags } from '@oclif/core';
import { EquinoxCommand } from '../../cli/equinox-command.js';
import { withHost } from '../../cli/open-host.js';

export default class DeletesConfirm extends EquinoxCommand<typeof DeletesConfirm> {
  static override summary = 'Confirm local deletes: the next sync uploads them as tombstones.';
  static override description = 'The cloud keeps the rows, marked deleted: sync never hard-deletes.';
  static override strict = false;
  static override examples = ['<%= config.bin %> deletes confirm 0190f2a4-… 0190f2a5-…', '<%= config.bin %> deletes confirm --all'];
  static override args = { ids: Args.string({ description: 'Ids of the deleted rows.' }) };
  static override flags = { all: Flags.boolean({ summary: 'Confirm every waiting delete.' }) };

  async run(): Promise<{ confirmed: number }> {
    const { argv } = await this.parse(DeletesConfirm);
    const ids = (argv as string[]).filter((id) => id !== '');
    if (!this.flags.all && ids.length === 0) this.usage('name the ids to confirm, or use --all');
    if (this.flags.all && ids.length > 0) this.usage('give ids or --all, not both');
    const confirmed = await withHost(this, (host) => {
      if (ids.length > 0) {
        const waiting = new Set(host.deletes.list().map((d) => d.id));
        const unknown = ids.filter((id) => !waiting.has(id));
        if (unknown.length > 0) this.fail(`no delete is waiting for ${unknown.join(', ')}`);
      }
      return host.deletes.confirm(this.flags.all ? 'all' : ids);
    });
    this.log(`Confirmed ${confirmed} delete(s); they upload with the next sync.`);
    return { confirmed };
  }
}
