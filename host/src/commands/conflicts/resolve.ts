import { readFileSync } from 'node:fs';
import { Args, Flags } from '@oclif/core';
import type { Row } from '@equinox-sync/core';
import { EquinoxCommand } from '../../cli/equinox-command.js';
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
    row: Flags.file({ summary: 'JSON file with the merged row (with --pick merged).', exists: true }),
    table: Flags.string({ summary: 'Table of the row, when two tables hold the same id.' }),
  };

  async run(): Promise<{ id: string; pick: string; resolved: number }> {
    const pick = this.flags.pick as 'local' | 'remote' | 'merged';
    if (pick === 'merged' && this.flags.row === undefined) this.fail('--pick merged needs --row FILE with the merged row');
    const row = this.flags.row === undefined ? undefined : readRow(this.flags.row, (message) => this.fail(message));
    const resolved = await withHost(this, (host) =>
      host.conflicts.resolve([{ id: this.args.id, pick, ...(row ? { row } : {}), ...(this.flags.table ? { table: this.flags.table } : {}) }]),
    );
    this.log(`Resolved ${this.args.id}: kept ${pick}. It uploads with the next sync.`);
    return { id: this.args.id, pick, resolved };
  }
}

function readRow(file: string, fail: (message: string) => never): Row {
  try {
    const value: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(`${file}: expected a JSON object (the merged row)`);
    return value as Row;
  } catch (error) {
    return fail(`${file}: ${(error as Error).message}`);
  }
}
