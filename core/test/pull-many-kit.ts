import { vi } from 'vitest';
import { definePlugin, type PluginDefinition, type RemoteStore } from '../src/index.js';
import { newRow } from './protocol-kit.js';
import { deviceRemote, openDevice, uniqueName, type TestDevice } from '../src/testing/index.js';

// What the eq_pull_many tests share: a plugin of three tables (one scoped), a device whose
// fetch counts (and can falsify) its requests, rows written as another device would.

export const notes = uniqueName('many_notes');
export const tags = uniqueName('many_tags');
export const receipts = uniqueName('many_receipts');

export const plugin = definePlugin({
  name: 'pull-many-test',
  version: '1.0.0',
  tables: [
    { name: notes, columns: { body: { type: 'text' } }, strategy: 'LastWriteWins' },
    { name: tags, columns: { label: { type: 'text' } }, strategy: 'LastWriteWins' },
    {
      name: receipts,
      columns: { till: { type: 'text', nullable: false }, total: { type: 'text' } },
      strategy: 'LocalWins',
      pullScope: { column: 'till', claim: 'device_id' },
    },
  ],
});

/** The equinox function each request of the device called, in order (`eq_health`, `eq_pull_many`, …). */
export interface Calls {
  readonly made: string[];
  /** The same requests as `<METHOD> <function>`. */
  readonly sent: string[];
  /** While set, a request fails as a lost network would, before reaching the cloud. */
  offline: boolean;
  /** Answers eq_pull_many as a cloud of an older schema does: PostgREST's "no such function". */
  withoutPullMany: boolean;
  /** Answers a GET of eq_pull_many as a cloud whose function predates the GET form does: the cursors are a string to it. */
  postedCursorsOnly: boolean;
  /** Answers a GET of eq_pull_many as a lagging read replica would: the cloud's answer, marked as a replica's, its high-water mark 0. */
  replicaAnswersGets: boolean;
  /** Answers a push carrying `p_expect` as a cloud whose eq_push predates it does: PostgREST's "no such function". */
  uncheckedPushes: boolean;
  /** Answers eq_push_tables as a cloud of an older schema does: PostgREST's "no such function". */
  withoutPushTables: boolean;
}

export function counting(calls: Calls): typeof fetch {
  return async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const fn = /\/rest\/v1\/rpc\/(\w+)/.exec(url)?.[1] ?? url;
    calls.made.push(fn);
    const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
    calls.sent.push(`${method} ${fn}`);
    if (calls.offline) throw new TypeError('fetch failed');
    if (calls.postedCursorsOnly && fn === 'eq_pull_many' && method === 'GET') {
      const message = 'eq_pull_many: p_cursors must be an object { "<table>": <cursor or null> }, got string';
      return new Response(JSON.stringify({ code: '22023', message, details: null, hint: null }), { status: 400, headers: { 'content-type': 'application/json' } });
    }
    if (calls.replicaAnswersGets && fn === 'eq_pull_many' && method === 'GET') {
      const [answer] = (await (await fetch(input, init)).json()) as [Record<string, unknown>];
      return Response.json([{ ...answer, replica: true, high_water: '0' }]);
    }
    if (calls.uncheckedPushes && fn === 'eq_push' && typeof init?.body === 'string' && init.body.startsWith('{"p_expect":')) {
      const body = { code: 'PGRST202', message: 'Could not find the function public.eq_push(p_bases, p_echo, p_expect, p_rows, p_table) in the schema cache', details: null, hint: null };
      return new Response(JSON.stringify(body), { status: 404, headers: { 'content-type': 'application/json' } });
    }
    if (calls.withoutPushTables && fn === 'eq_push_tables') {
      const body = { code: 'PGRST202', message: 'Could not find the function public.eq_push_tables(p_pushes) in the schema cache', details: null, hint: null };
      return new Response(JSON.stringify(body), { status: 404, headers: { 'content-type': 'application/json' } });
    }
    if (calls.withoutPullMany && fn === 'eq_pull_many') {
      const body = { code: 'PGRST202', message: 'Could not find the function public.eq_pull_many(p_cursors, p_limit) in the schema cache', details: null, hint: null };
      return new Response(JSON.stringify(body), { status: 404, headers: { 'content-type': 'application/json' } });
    }
    return fetch(input, init);
  };
}

export async function device(
  name: string,
  tenant: string,
  options: { pullPageSize?: number; remote?: (remote: RemoteStore) => RemoteStore; plugins?: PluginDefinition[] } = {},
): Promise<TestDevice & { calls: Calls }> {
  const calls: Calls = { made: [], sent: [], offline: false, withoutPullMany: false, postedCursorsOnly: false, replicaAnswersGets: false, uncheckedPushes: false, withoutPushTables: false };
  const opened = await openDevice({
    name,
    tenant,
    plugins: options.plugins ?? [plugin],
    fetch: counting(calls),
    ...(options.pullPageSize === undefined ? {} : { sync: { pullPageSize: options.pullPageSize } }),
    ...(options.remote === undefined ? {} : { remote: options.remote }),
  });
  return Object.assign(opened, { calls });
}

/** Writes rows of `tenant` straight through the protocol, as another device would. */
export async function seed(tenant: string, table: string, rows: readonly Record<string, unknown>[], as = 'seeder'): Promise<string[]> {
  const remote = await deviceRemote(tenant, as);
  const made = rows.map((fields) => newRow(tenant, fields));
  await remote.push(table, made.map((row) => ({ row, base_version: null })));
  return made.map((row) => String(row.id));
}

/** Moves the wall clock (Date only: timers and the network keep real time) forward by `ms`. */
export function laterByMs(ms: number): void {
  vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + ms });
}
