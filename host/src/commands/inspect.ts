import { Flags } from '@oclif/core';
import open from 'open';
import { EquinoxCommand } from '../cli/equinox-command.js';
import { describeWatchEvent, WatchEvents, type WatchEvent } from '../cli/watch-events.js';
import { createHost } from '../create-host.js';
import { serveInspector, type Inspector } from '../inspector/inspector-server.js';

export default class Inspect extends EquinoxCommand<typeof Inspect> {
  static override summary = 'Serve a web page that shows this device and settles its conflicts and deletes.';
  static override description =
    'Syncs in the background as watch does, and serves the device inspector on 127.0.0.1 only: live status, the upload ' +
    'queue with row previews, failed and set-aside rows, the conflict inbox side by side (keep local, keep cloud, merge), ' +
    'held deletes to confirm, a chart of recent runs and the plugins\' panels. The URL holds a random secret: whoever has ' +
    'it can settle this device\'s conflicts and deletes, so do not share it. Serves until SIGINT or SIGTERM, then closes ' +
    'the database and exits 0. With --json the first line is { "url" }, then one JSON object per event, as watch prints.';
  static override examples = [
    '<%= config.bin %> inspect',
    '<%= config.bin %> inspect --port 4711 --open',
    '<%= config.bin %> inspect --config till.json --json',
  ];
  static override flags = {
    port: Flags.integer({ summary: 'Port on 127.0.0.1 (default: a free one).', min: 0, max: 65535 }),
    open: Flags.boolean({ summary: 'Open the page in the system browser too.' }),
  };

  async run(): Promise<void> {
    const host = await createHost({ ...(this.flags.config === undefined ? {} : { config: this.flags.config }), ...(this.id === undefined ? {} : { command: this.id }) });
    let inspector: Inspector;
    try {
      inspector = await serveInspector(host, this.flags.port === undefined ? {} : { port: this.flags.port });
    } catch (error) {
      await host.dispose();
      if ((error as { code?: unknown }).code === 'EADDRINUSE') this.fail(`--port ${this.flags.port}: the port is in use; choose another, or leave --port out for a free one`);
      throw error;
    }
    const events = new WatchEvents();
    const print = (lines: readonly WatchEvent[]): void => {
      for (const line of lines) {
        if (this.jsonEnabled()) process.stdout.write(`${JSON.stringify(line)}\n`);
        else this.log(describeWatchEvent(line));
      }
    };
    const stopped = new Promise<NodeJS.Signals>((resolve) => {
      process.once('SIGINT', () => resolve('SIGINT'));
      process.once('SIGTERM', () => resolve('SIGTERM'));
    });
    // The URL first: a script reads it from the first line.
    if (this.jsonEnabled()) process.stdout.write(`${JSON.stringify({ url: inspector.url })}\n`);
    else this.log(`Inspector of ${host.config.dbPath} (tenant ${host.config.tenantId}): ${inspector.url}\nCtrl-C to stop.`);
    if (this.flags.open) await this.openBrowser(inspector.url);
    const subscription = host.status$.subscribe((status) => print(events.status(status)));
    subscription.add(host.runs$.subscribe(({ trigger, result }) => print(events.run(trigger, result))));
    await host.start();
    print(events.probed(await host.probe()));
    const signal = await stopped;
    this.log(`${signal}: finishing the batch in flight…`);
    await inspector.close();
    await host.dispose();
    subscription.unsubscribe();
    this.log('Stopped; the database is closed.');
    if (this.jsonEnabled()) process.stdout.write(`${JSON.stringify({ stopped: true, signal })}\n`);
  }

  /** Asks the system to open the page; with no browser there, says so and serves all the same. */
  private async openBrowser(url: string): Promise<void> {
    const unable = (error: unknown): void =>
      void process.stderr.write(`Could not open a browser (${error instanceof Error ? error.message : String(error)}); open the URL above yourself.\n`);
    try {
      const child = await open(url);
      child.once('error', unable);
      // xdg-open with no browser to start says so by its exit code only.
      child.once('exit', (code) => {
        if (code !== null && code !== 0) unable(new Error(`the system's opener exited with code ${code}`));
      });
    } catch (error) {
      unable(error);
    }
  }
}
