import { isProcessAlive, readCloudState, type CloudState } from '@equinox-sync/local-cloud';
import { EquinoxCommand } from '../../cli/equinox-command.js';
import { dataDirFlag } from '../../cli/data-dir-flag.js';

const STOP_WITHIN_MS = 15_000;

export default class CloudStop extends EquinoxCommand<typeof CloudStop> {
  static override summary = 'Stop the local cloud running on a data directory.';
  static override description =
    'Signals the `equinox cloud start` running on the data directory (SIGTERM) and waits until it, its Postgres and its PostgREST have ended.';
  static override examples = ['<%= config.bin %> cloud stop', '<%= config.bin %> cloud stop --data /tmp/cloud --json'];
  static override flags = { data: dataDirFlag };

  async run(): Promise<{ stopped: boolean; dataDir: string }> {
    const state = readCloudState(this.flags.data);
    if (!state) {
      this.log(`No local cloud is running on ${this.flags.data}.`);
      return { stopped: false, dataDir: this.flags.data };
    }
    process.kill(state.pid, 'SIGTERM');
    const deadline = Date.now() + STOP_WITHIN_MS;
    while (running(state) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (running(state)) this.fail(`the local cloud (pid ${state.pid}) did not stop within ${STOP_WITHIN_MS / 1000} s`);
    this.log(`Stopped the local cloud on ${state.dataDir}.`);
    return { stopped: true, dataDir: state.dataDir };
  }
}

/** The cloud's process, or a Postgres or PostgREST it started, is still there. */
function running(state: CloudState): boolean {
  return readCloudState(state.dataDir) !== undefined || isProcessAlive(state.postgresPid) || isProcessAlive(state.postgrestPid);
}
