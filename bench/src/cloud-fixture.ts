import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { applySql, TokenMinter } from '@equinox-sync/local-cloud';
import { compileServerSchema } from '@equinox-sync/core/server';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import pg from 'pg';
import ws from 'ws';
import { SEED_COLUMNS, seedSelectSql, TABLES } from './bench-tables.js';
import type { CloudCoordinatesLine } from './cloud-process.js';
import { progress } from './measure.js';

/** The one local cloud of a bench run, with the bench tables installed, and the run's scratch dir for device files. */
export interface BenchCloud {
  readonly cloud: CloudCoordinatesLine;
  readonly scratch: string;
  /** The cloud process: its gateway, and the parent of Postgres and PostgREST (whose CPU time the fleet case reads). */
  readonly pid: number;
  token(tenant: string): Promise<string>;
  /** A user token with any claims (e.g. a head-office `eq_role`). */
  tokenWith(claims: Record<string, unknown>): Promise<string>;
  /** A plain supabase-js client carrying `token`. */
  clientWithToken(token: string): Promise<SupabaseClient>;
  /** A plain supabase-js client acting as a device of `tenant` (anon key + user token, RLS applies). */
  client(tenant: string, fetchImpl?: typeof fetch): Promise<SupabaseClient>;
  /** Inserts `rows` rows for `tenant` into `table` as the superuser, in chunks, then analyzes the table. */
  seed(table: string, tenant: string, rows: number): Promise<void>;
  /** Runs SQL as the superuser. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  stop(): Promise<void>;
}

export async function startBenchCloud(scratch: string): Promise<BenchCloud> {
  progress('starting the local cloud (embedded Postgres + PostgREST) in its own process');
  const { child, cloud } = await spawnCloud();
  const stopCloud = (): Promise<void> =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.stdin?.end();
    });
  const admin = new pg.Client({ connectionString: cloud.pgUrl });
  try {
    await admin.connect();
    await applySql(cloud, compileServerSchema(Object.values(TABLES)));
  } catch (error) {
    await admin.end().catch(() => undefined);
    await stopCloud();
    throw error;
  }
  const minter = new TokenMinter(cloud.jwtSecret);
  const tokens = new Map<string, Promise<string>>();
  const token = (tenant: string): Promise<string> => {
    let minted = tokens.get(tenant);
    if (minted === undefined) {
      minted = minter.mint({ tenant_id: tenant }, { expiresIn: '2h' });
      tokens.set(tenant, minted);
    }
    return minted;
  };
  return {
    cloud,
    scratch,
    pid: child.pid as number,
    token,
    tokenWith: (claims) => minter.mint(claims, { expiresIn: '2h' }),
    async clientWithToken(accessToken) {
      return createClient(cloud.url, cloud.anonKey, {
        auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
        realtime: { transport: ws as never },
        accessToken: async () => accessToken,
      });
    },
    async client(tenant, fetchImpl) {
      const accessToken = await token(tenant);
      return createClient(cloud.url, cloud.anonKey, {
        auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
        realtime: { transport: ws as never },
        accessToken: async () => accessToken,
        ...(fetchImpl === undefined ? {} : { global: { fetch: fetchImpl } }),
      });
    },
    async seed(table, tenant, rows) {
      const chunk = 100_000;
      for (let first = 1; first <= rows; first += chunk) {
        const last = Math.min(rows, first + chunk - 1);
        await admin.query(
          `insert into public.${table} (${SEED_COLUMNS.join(', ')}) ${seedSelectSql(tenant)} from generate_series(${first}, ${last}) as g`,
        );
        if (rows > chunk) progress(`seeding ${table}: ${last.toLocaleString('en-US')} / ${rows.toLocaleString('en-US')} rows`);
      }
      await admin.query(`vacuum analyze public.${table}`);
    },
    async query<T>(sql: string, params: unknown[] = []) {
      return (await admin.query(sql, params)).rows as T[];
    },
    async stop() {
      await admin.end().catch(() => undefined);
      await stopCloud();
    },
  };
}

function spawnCloud(): Promise<{ child: ChildProcess; cloud: CloudCoordinatesLine }> {
  const script = fileURLToPath(new URL('./cloud-process.js', import.meta.url));
  const child = spawn(process.execPath, [script], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (chunk: string): void => {
      out += chunk;
      const newline = out.indexOf('\n');
      if (newline < 0) return;
      child.stdout?.off('data', onData);
      try {
        resolve({ child, cloud: JSON.parse(out.slice(0, newline)) as CloudCoordinatesLine });
      } catch (error) {
        reject(error);
      }
    };
    child.stdout?.setEncoding('utf8').on('data', onData);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the local cloud process exited with ${code} before it was ready`)));
  });
}
