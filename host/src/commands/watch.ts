import { EquinoxCommand } from '../cli/equinox-command.js';
import { describeWatchEvent, WatchEvents, type WatchEvent } from '../cli/watch-events.js';
import { createHost } from '../create-host.js';

export default class Watch extends EquinoxCommand<typeof Watch> {
  static override summary = 'Sync in the background until interrupted.';
  static override description =
    'Uploads a local change at once (a write by another program on the database is noticed within 250 ms), pulls when the cloud ' +
    'announces a change (live), and runs when the cloud comes back and every sync.intervalSeconds. Prints each transition ' +
    '(online, offline, live, not-live) and one line per run: its trigger, rows up and down, conflicts and duration. ' +
    'On SIGINT or SIGTERM it lets the batch in flight finish, closes the database and exits 0. With --json, every line is one ' +
    'JSON object ({ at, event, ... }; a run has event "run", its trigger and result) and the last is { stopped, signal, runs }.';
  static override examples = ['<%= config.bin %> watch', '<%= config.bin %> watch --config till.json --json'];

  async run(): Promise<void> {
    const host = await createHost({ ...(this.flags.config === undefined ? {} : { config: this.flags.config }), ...(this.id === undefined ? {} : { command: this.id }) });
    const events = new WatchEvents();
    const print = (lines: readonly WatchEvent[]): void => {
      for (const line of lines) {
        if (this.jsonEnabled()) process.stdout.write(`${JSON.stringify(line)}\n`);
        else this.log(describeWatchEvent(line));
      }
    };
    let runs = 0;
    const subscription = host.status$.subscribe((status) => print(events.status(status)));
    subscription.add(
      host.runs$.subscribe(({ trigger, result }) => {
        runs += 1;
        print(events.run(trigger, result));
      }),
    );
    const stopped = new Promise<NodeJS.Signals>((resolve) => {
      process.once('SIGINT', () => resolve('SIGINT'));
      process.once('SIGTERM', () => resolve('SIGTERM'));
    });
    await host.start();
    this.log(`Watching ${host.config.dbPath} (tenant ${host.config.tenantId}). Ctrl-C to stop.`);
    // The status starts as "not probed yet"; this tells whether the cloud answers now (unless the status already did).
    print(events.probed(await host.probe()));
    const signal = await stopped;
    this.log(`${signal}: finishing the batch in flight…`);
    await host.dispose();
    subscription.unsubscribe();
    this.log('Stopped; the database is closed.');
    // JSON lines throughout: the summary is one more line, not oclif's pretty-printed result.
    if (this.jsonEnabled()) process.stdout.write(`${JSON.stringify({ stopped: true, signal, runs })}\n`);
  }
}
