import { Args, Flags } from '@oclif/core';
import { EquinoxCommand } from '../../cli/equinox-command.js';
import { jsonRowFlag } from '../../cli/json-row-flag.js';
import { withHost } from '../../cli/open-host.js';

export default class ConflictsResolve extends EquinoxCommand<typeof ConflictsResolve> {
  static override summary = 'Settle a conflict by keeping the local version, the cloud version, or a merged row.';
  static override description = 'The choice is written locally at once and uploaded by the next sync.';
  static override examples = [
    '<%= config.bin %> conflicts resolve 0190f2a4-… --pick remote',
    '<%= config.bin %> conflicts resolve 0190f2a4-… --pick merged --row merged.json',
  ];
  static override args = { id: Args.string({ description: 'Id of the conflicting row.', required: true }) };
  static override flags = {
    pick: Flags.string({ summary: 'Which version to keep.', options: ['local', 'remote', 'merged'], required: true }),
    row: jsonRowFlag({ summary: 'JSON file with the merged row (with --pick merged).' }),
    table: Flags.string({ summary: 'Table of the row, when two tables hold the same id.' }),
  };

  async run(): Promise<{ id: string; pick: string; resolved: number }> {
    const pick = this.flags.pick as 'local' | 'remote' | 'merged';
    if (pick === 'merged' && this.flags.row === undefined) this.usage('--pick merged needs --row FILE with the merged row');
    const { row } = this.flags;
    const resolved = await withHost(this, (host) =>
      host.conflicts.resolve([{ id: this.args.id, pick, ...(row ? { row } : {}), ...(this.flags.table ? { table: this.flags.table } : {}) }]),
    );
    this.log(`Resolved ${this.args.id}: kept ${pick}. It uploads with the next sync.`);
    return { id: this.args.id, pick, resolved };
  }
}
