import { Flags } from '@oclif/core';
import { CloudRunningError, startLocalCloud, type LocalCloud } from '@equinox-sync/local-cloud';
import { EquinoxCommand } from '../../cli/equinox-command.js';
import { dataDirFlag, SUPABASE_CLI_PORT } from '../../cli/data-dir-flag.js';

/**
 * The coordinates `cloud start --json` prints as its first line.
 *
 * @example
 * const ready = JSON.parse(firstLine) as CloudStartResult;
 */
export interface CloudStartResult {
  url: string;
  anonKey: string;
  serviceKey: string;
  /** The owner role's URL (not a superuser): what Supabase's `postgres` is. */
  pgUrl: string;
  /** The superuser's URL, for bootstrap-level work only. */
  adminPgUrl: string;
  dataDir: string;
  /** Where the Postgres cluster lives (inside the data dir unless the postgres user cannot reach it). */
  postgresDir: string;
  /** The process to signal; `cloud stop` does. */
  pid: number;
  /** What the start had to say (e.g. the last port was taken, so it runs on another): on stderr too, unless `--json`. */
  warnings: string[];
}

export default class CloudStart extends EquinoxCommand<typeof CloudStart> {
  static override summary = 'Run the local Supabase-compatible cloud in the foreground.';
  static override description =
    'Starts real Postgres and PostgREST behind a gateway that serves Supabase paths (/rest/v1), set up as a fresh Supabase project ' +
    '(1,000 rows a response, role timeouts, a non-superuser owner role for migrations). ' +
    `The URL stays the same across restarts: the port of the last run on the data directory, else ${SUPABASE_CLI_PORT} when free (as the Supabase CLI), else a free one. ` +
    'The data directory keeps the database and a state file that other commands (init --local, cloud token, cloud stop) read; ' +
    'when it already has a running cloud, this says where and exits 1. ' +
    'Stops on Ctrl-C, SIGTERM or `equinox cloud stop`, prints "stopped" and exits 0. With --json, the first line is the coordinates and the last { stopped, signal }.';
  static override examples = [
    '<%= config.bin %> cloud start',
    '<%= config.bin %> cloud start --data /srv/equinox-cloud --port 54321 --json',
  ];
  static override flags = {
    data: dataDirFlag,
    port: Flags.integer({
      summary: `Port of the Supabase URL (default: the last run's on this data dir, else ${SUPABASE_CLI_PORT} when free, else a free one).`,
      min: 1,
      max: 65535,
    }),
  };

  async run(): Promise<void> {
    // Listening before the start, so a signal while it starts still ends in a clean stop.
    const signalled = new Promise<NodeJS.Signals>((resolve) => {
      process.once('SIGINT', () => resolve('SIGINT'));
      process.once('SIGTERM', () => resolve('SIGTERM'));
    });
    const cloud = await this.start();
    this.report(cloud);
    const signal = await signalled;
    await cloud.stop();
    if (this.jsonEnabled()) process.stdout.write(`${JSON.stringify({ stopped: true, signal })}\n`);
    else this.log(`${signal}: the local cloud on ${cloud.dataDir} stopped.`);
  }

  private async start(): Promise<LocalCloud> {
    try {
      return await startLocalCloud({
        dataDir: this.flags.data,
        ...(this.flags.port === undefined ? { preferredPort: SUPABASE_CLI_PORT } : { port: this.flags.port }),
      });
    } catch (error) {
      if (error instanceof CloudRunningError) this.fail(error.message);
      throw error;
    }
  }

  private report(cloud: LocalCloud): void {
    for (const warning of cloud.warnings) this.warn(warning);
    if (this.jsonEnabled()) {
      const ready: CloudStartResult = {
        url: cloud.url,
        anonKey: cloud.anonKey,
        serviceKey: cloud.serviceKey,
        pgUrl: cloud.pgUrl,
        adminPgUrl: cloud.adminPgUrl,
        dataDir: cloud.dataDir,
        postgresDir: cloud.postgresDir,
        pid: process.pid,
        warnings: [...cloud.warnings],
      };
      // The first stdout line, printed the moment the cloud is ready, so scripts can read it and go on.
      process.stdout.write(`${JSON.stringify(ready)}\n`);
      return;
    }
    this.log(`Local cloud ready at ${cloud.url} (pid ${process.pid})`);
    this.log(`  data dir   ${cloud.dataDir}`);
    this.log(`  database   ${cloud.postgresDir}`);
    this.log(`  anon key   ${cloud.anonKey}`);
    this.log(`  Postgres   ${cloud.pgUrl.replace(/:[^:@/]+@/, ':****@')} (owner role, not a superuser)`);
    this.log('Press Ctrl-C to stop.');
  }
}
