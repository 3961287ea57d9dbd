import { randomUUID } from 'node:crypto';
import { createClient, type RealtimeChannel, type RealtimeClientOptions, type SupabaseClient } from '@supabase/supabase-js';
import pg from 'pg';
import { afterAll, afterEach, beforeAll } from 'vitest';
import ws from 'ws';
import { applySql, TokenMinter, type CloudCoordinates } from '../src/index.js';

const TENANT_PREFIX = 'lc-realtime-';

/** A broadcast as realtime-js hands it to an `on('broadcast')` callback. */
export interface ReceivedBroadcast {
  readonly type: string;
  readonly event: string;
  readonly payload: { readonly table?: string; readonly id?: string; readonly [key: string]: unknown };
  readonly meta?: { readonly id?: string };
}

/** A subscribe callback's report. */
export interface ChannelStatus {
  readonly status: string;
  readonly error?: Error;
}

/** A channel under watch: what its callbacks reported, in order. */
export interface WatchedChannel {
  readonly channel: RealtimeChannel;
  readonly statuses: ChannelStatus[];
  readonly broadcasts: ReceivedBroadcast[];
  /** `system` messages (a channel closed by the server says why in one). */
  readonly system: Array<{ status?: string; message?: string; extension?: string }>;
}

/** A fresh tenant id, of the ones {@link installTenantReadPolicy} covers: tests share one cloud. */
export function realtimeTenant(): string {
  return `${TENANT_PREFIX}${randomUUID().slice(0, 8)}`;
}

/** A supabase-js client as a device makes one, whose Realtime uses `token` (if given). */
export function realtimeClient(
  cloud: { url: string; anonKey: string },
  token?: string,
  realtime: Omit<RealtimeClientOptions, 'transport'> = {},
  apiKey = cloud.anonKey,
): SupabaseClient {
  const client = createClient(cloud.url, apiKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { ...realtime, transport: ws as never },
  });
  if (token !== undefined) void client.realtime.setAuth(token);
  return client;
}

/** Joins the `push` broadcasts of `topic` on `client` and records everything the channel reports. */
export function watchChannel(client: SupabaseClient, topic: string, options: { private?: boolean } = {}): WatchedChannel {
  const watched: WatchedChannel = {
    channel: client.channel(topic, { config: { private: options.private ?? true } }),
    statuses: [],
    broadcasts: [],
    system: [],
  };
  watched.channel
    .on('broadcast', { event: 'push' }, (message) => void watched.broadcasts.push(message as ReceivedBroadcast))
    .on('system', {}, (message: WatchedChannel['system'][number]) => void watched.system.push(message))
    .subscribe((status, error) => void watched.statuses.push({ status, ...(error ? { error } : {}) }));
  return watched;
}

/** Resolves with `probe()`'s first defined value; fails after `timeoutMs` (a bound, not a measurement). */
export async function until<T>(probe: () => T | undefined, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The first report `status` made after the first `from` reports. */
export function statusAfter(watched: WatchedChannel, status: string, from = 0): Promise<ChannelStatus> {
  return until(() => watched.statuses.slice(from).find((report) => report.status === status), `${status} on ${watched.channel.topic}`);
}

/** The first broadcast for `table` the channel received. */
export function broadcastOf(watched: WatchedChannel, table: string): Promise<ReceivedBroadcast> {
  return until(() => watched.broadcasts.find((message) => message.payload.table === table), `a broadcast for ${table} on ${watched.channel.topic}`);
}

/** Sends `{ table }` as event `push` on `topic` from the database, as the owner role (Broadcast from the database). */
export class DatabaseSender {
  private constructor(private readonly client: pg.Client) {}

  static async open(cloud: { pgUrl: string }): Promise<DatabaseSender> {
    const client = new pg.Client({ connectionString: cloud.pgUrl });
    await client.connect();
    return new DatabaseSender(client);
  }

  async send(topic: string, table: string, isPrivate = true): Promise<void> {
    await this.client.query(`select realtime.send(jsonb_build_object('table', $1::text), 'push', $2, $3)`, [table, topic, isPrivate]);
  }

  /** Runs `sql` as `role` with `claims`, as PostgREST would run a request of that token. */
  async asRole(role: string, claims: object, sql: string, values: unknown[]): Promise<void> {
    await this.client.query('begin');
    try {
      await this.client.query(`select set_config('role', $1, true), set_config('request.jwt.claims', $2, true)`, [role, JSON.stringify(claims)]);
      await this.client.query(sql, values);
    } finally {
      await this.client.query('rollback');
    }
  }

  close(): Promise<void> {
    return this.client.end();
  }
}

/**
 * A read policy on `realtime.messages` as a migration installs it (as the owner role, not
 * a superuser): a token reads the topic `equinox:<its app_metadata.tenant_id>`. Only for
 * this file's tenants ({@link realtimeTenant}): the policies of a table add up, and this
 * one must not stand in for the migration's own in the other tests of the run.
 */
export function installTenantReadPolicy(cloud: CloudCoordinates): Promise<void> {
  return applySql(
    cloud,
    `do $$
     begin
       if not exists (select 1 from pg_policies where schemaname = 'realtime' and tablename = 'messages' and policyname = 'lc_realtime_test_reads') then
         create policy lc_realtime_test_reads on realtime.messages for select to authenticated
           using (realtime.topic() like 'equinox:${TENANT_PREFIX}%'
                  and realtime.topic() = 'equinox:' || (auth.jwt() -> 'app_metadata' ->> 'tenant_id'));
       end if;
     end
     $$;`,
  );
}

/** What {@link realtimeDevices} gives a test file. */
export interface RealtimeDevices {
  readonly tokens: TokenMinter;
  /** A device's client (see {@link realtimeClient}); its channels are removed after each test. */
  device(token?: string, realtime?: Omit<RealtimeClientOptions, 'transport'>, apiKey?: string): SupabaseClient;
  /** Broadcasts from the database; open from `beforeAll` to `afterAll`. */
  readonly sender: DatabaseSender;
}

/**
 * The set-up every Realtime test file shares, registered as the calling suite's hooks:
 * the tenants' read policy and a database sender for the suite, and devices whose
 * channels are removed after each test.
 *
 * @example
 * const realtime = realtimeDevices(inject('cloud'));
 * const watched = watchChannel(realtime.device(token), `equinox:${tenant}`);
 */
export function realtimeDevices(cloud: CloudCoordinates & { url: string; anonKey: string; jwtSecret: string }): RealtimeDevices {
  const clients: SupabaseClient[] = [];
  let sender: DatabaseSender | undefined;
  beforeAll(async () => {
    await installTenantReadPolicy(cloud);
    sender = await DatabaseSender.open(cloud);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.removeAllChannels()));
  });
  afterAll(() => sender?.close());
  return {
    tokens: new TokenMinter(cloud.jwtSecret),
    device(token, realtime = {}, apiKey) {
      const client = realtimeClient(cloud, token, realtime, apiKey);
      clients.push(client);
      return client;
    },
    get sender(): DatabaseSender {
      if (sender === undefined) throw new Error('the database sender opens in beforeAll');
      return sender;
    },
  };
}
