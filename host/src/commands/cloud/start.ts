import { Flags } from '@oclif/core';
import { startLocalCloud } from '@equinox-sync/local-cloud';
import { EquinoxCommand } from '../../cli/equinox-command.js';
import { dataDirFlag } from '../../cli/data-dir-flag.js';

/** The coordinates `cloud start --json` prints as its first line. */
export interface CloudStartResult {
  url: string;
  anonKey: string;
  serviceKey: string;
  pgUrl: string;
  dataDir: string;
}

export default class CloudStart extends EquinoxCommand<typeof CloudStart> {
  static override summary = 'Run the local Supabase-compatible cloud in the foreground.';
  static override description =
    'Starts real Postgres and PostgREST behind a gateway that serves Supabase paths (/rest/v1). ' +
    'The data directory keeps the database and a state file that other commands (init --local, cloud token, cloud stop) read. ' +
    'Stops on Ctrl-C or `equinox cloud stop`.';
  static override examples = [
    '<%= config.bin %> cloud start',
    '<%= config.bin %> cloud start --data /tmp/cloud --port 54321 --json',
  ];
  static override flags = {
    data: dataDirFlag,
    port: Flags.integer({ summary: 'Port of the Supabase URL (default: a free one).', min: 1, max: 65535 }),
  };

  async run(): Promise<void> {
    const cloud = await startLocalCloud({ dataDir: this.flags.data, ...(this.flags.port ? { port: this.flags.port } : {}) });
    const ready: CloudStartResult = { url: cloud.url, anonKey: cloud.anonKey, serviceKey: cloud.serviceKey, pgUrl: cloud.pgUrl, dataDir: cloud.dataDir };
    if (this.jsonEnabled()) {
      // The first stdout line, printed the moment the cloud is ready, so scripts can read it and go on.
      process.stdout.write(`${JSON.stringify(ready)}\n`);
    } else {
      this.log(`Local cloud ready at ${cloud.url}`);
      this.log(`  data dir   ${cloud.dataDir}`);
      this.log(`  anon key   ${cloud.anonKey}`);
      this.log(`  Postgres   ${cloud.pgUrl.replace(/:[^:@/]+@/, ':****@')}`);
      this.log('Press Ctrl-C to stop.');
    }
    await new Promise<void>((resolve) => {
      const stop = (): void => void cloud.stop().finally(resolve);
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
  }
}
