import { readCloudState } from '@equinox-sync/local-cloud';
import { EquinoxCommand } from '../../cli/equinox-command.js';
import { dataDirFlag } from '../../cli/data-dir-flag.js';

export default class CloudStop extends EquinoxCommand<typeof CloudStop> {
  static override summary = 'Stop the local cloud running on a data directory.';
  static override examples = ['<%= config.bin %> cloud stop', '<%= config.bin %> cloud stop --data /tmp/cloud --json'];
  static override flags = { data: dataDirFlag };

  async run(): Promise<{ stopped: boolean; dataDir: string }> {
    const state = readCloudState(this.flags.data);
    if (!state) {
      this.log(`No local cloud is running on ${this.flags.data}.`);
      return { stopped: false, dataDir: this.flags.data };
    }
    process.kill(state.pid, 'SIGTERM');
    const deadline = Date.now() + 15_000;
    while (readCloudState(this.flags.data) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (readCloudState(this.flags.data)) this.fail(`the local cloud (pid ${state.pid}) did not stop within 15 s`);
    this.log(`Stopped the local cloud on ${state.dataDir}.`);
    return { stopped: true, dataDir: state.dataDir };
  }
}
