import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Flags } from '@oclif/core';
import { EquinoxCommand } from '@equinox-sync/host/command-kit';
import { removeCloudData } from '@equinox-sync/local-cloud';
import { DemoOutput } from '../story/demo-output.js';
import { runDemoStory, type DemoSummary } from '../story/demo-story.js';
import { privateDir } from '@equinox-sync/local-cloud';

export default class Demo extends EquinoxCommand<typeof Demo> {
  static override summary = 'Run the whole story on an embedded local cloud: offline tills, a concurrent edit, sync, agreement.';
  static override description =
    'Starts a local cloud, creates tenant A with two tills and tenant B with one (three SQLite files), works offline on each, ' +
    'makes a concurrent edit of one product, syncs everything and shows that every device agrees. Stops everything and exits 0. ' +
    'Takes under a minute. --keep leaves the files for inspection and prints how to point the CLI at them.';
  static override examples = ['<%= config.bin %> demo', '<%= config.bin %> demo --keep', '<%= config.bin %> demo --json'];
  static override flags = {
    keep: Flags.boolean({ summary: 'Keep the demo folder (databases, configs, cloud data) instead of removing it.' }),
    dir: Flags.string({ summary: 'Folder for the demo files (default: a new temp folder).' }),
  };

  async run(): Promise<DemoSummary> {
    const dir = this.flags.dir ? resolve(this.flags.dir) : mkdtempSync(join(tmpdir(), 'equinox-demo-'));
    // Databases, configs with tokens and the cloud's secrets go in here: made for the owner only (mkdtemp's are too).
    if (!existsSync(dir)) privateDir(dir);
    const out = new DemoOutput((line) => this.log(line), !this.jsonEnabled());
    this.log(`equinox demo — files in ${dir}`);
    try {
      const summary = await runDemoStory({ dir, cloudDir: join(dir, 'cloud'), out });
      this.log('');
      if (this.flags.keep) {
        this.log(`Kept ${dir}. To look around:`);
        this.log(`  npx equinox cloud start --data ${join(dir, 'cloud')} --port ${new URL(summary.cloudUrl).port}   # in another terminal`);
        this.log(`  npx equinox status --config ${summary.devices[0]?.config}`);
        this.log(`  npx equinox plugins list --config ${summary.devices[0]?.config}`);
      } else {
        this.log('Done. Everything was stopped and removed (use --keep to inspect the files).');
      }
      return summary;
    } finally {
      if (!this.flags.keep) {
        // As root the cloud's cluster may live outside the demo folder (/var/lib/equinox-sync): it goes too.
        removeCloudData(join(dir, 'cloud'));
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
}
