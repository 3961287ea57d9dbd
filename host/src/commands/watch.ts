import { EquinoxCommand } from '../cli/equinox-command.js';
import { createHost } from '../create-host.js';

export default class Watch extends EquinoxCommand<typeof Watch> {
  static override summary = 'Sync in the background until interrupted.';
  static override description =
    'Runs a sync on every local change (debounced), when the cloud comes back, and every sync.intervalSeconds. ' +
    'On SIGINT or SIGTERM it lets the batch in flight finish, closes the database and exits 0. With --json, prints one JSON line per run and a last line { stopped, signal, runs }.';
  static override examples = ['<%= config.bin %> watch', '<%= config.bin %> watch --config till.json --json'];

  async run(): Promise<void> {
    const host = await createHost({ ...(this.flags.config === undefined ? {} : { config: this.flags.config }), ...(this.id === undefined ? {} : { command: this.id }) });
    let runs = 0;
    const subscription = host.runs$.subscribe(({ trigger, result }) => {
      runs += 1;
      if (this.jsonEnabled()) process.stdout.write(`${JSON.stringify({ trigger, ...result })}\n`);
      else this.log(`${new Date().toISOString()} ${trigger}: ${result.error ?? `up ${result.uploaded}, down ${result.downloaded}, conflicts ${result.conflicts}, rejected ${result.rejected}`}`);
    });
    await host.start();
    this.log(`Watching ${host.config.dbPath} (tenant ${host.config.tenantId}). Ctrl-C to stop.`);
    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      process.once('SIGINT', () => resolve('SIGINT'));
      process.once('SIGTERM', () => resolve('SIGTERM'));
    });
    this.log(`${signal}: finishing the batch in flight…`);
    await host.dispose();
    subscription.unsubscribe();
    this.log('Stopped; the database is closed.');
    // JSON lines throughout: the summary is one more line, not oclif's pretty-printed result.
    if (this.jsonEnabled()) process.stdout.write(`${JSON.stringify({ stopped: true, signal, runs })}\n`);
  }
}
