import { createHmac, randomUUID } from 'node:crypto';
import { createClient } from '@supabase/supabase-js';
import ws from 'ws';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { applySql, TokenMinter } from '@equinox-sync/local-cloud';
import { definePlugin, type Row } from '../../src/index.js';
import { compileServerSchema } from '../../src/server/index.js';
import { uniqueSuffix, uniqueTenant } from '../../src/testing/index.js';
import { report } from './reliability-kit.js';

const cloud = inject('cloud');
const sfx = uniqueSuffix();
const plugin = definePlugin({
  name: 'isolation',
  version: '1.0.0',
  // One table per capability the compiler turns into different grants and policies.
  tables: [
    { name: `iso_lww_${sfx}`, columns: { body: { type: 'text' } }, strategy: 'LastWriteWins' },
    { name: `iso_local_${sfx}`, columns: { body: { type: 'text' } }, strategy: 'LocalWins' },
    { name: `iso_remote_${sfx}`, columns: { body: { type: 'text' } }, strategy: 'RemoteWins' },
    { name: `iso_manual_${sfx}`, columns: { body: { type: 'text' } }, strategy: 'Manual' },
    { name: `iso_append_${sfx}`, columns: { body: { type: 'text' } }, strategy: 'LocalWins', appendOnly: true, orderingKey: ['body'] },
    { name: `iso_down_${sfx}`, columns: { body: { type: 'text' } }, strategy: 'RemoteWins', direction: 'download-only' },
    { name: `iso_up_${sfx}`, columns: { body: { type: 'text' } }, strategy: 'LocalWins', direction: 'upload-only' },
  ],
});
const sql = compileServerSchema([plugin]);

/** The objects the migration creates, read from its text: what PostgREST could expose. */
function createdObjects(): Array<{ kind: 'table' | 'view' | 'rpc'; schema: string; name: string }> {
  const found = new Map<string, { kind: 'table' | 'view' | 'rpc'; schema: string; name: string }>();
  const pattern = /create\s+(?:or\s+replace\s+)?(table|view|materialized\s+view|function)(?:\s+if\s+not\s+exists)?\s+"?(\w+)"?\."?(\w+)"?/gi;
  for (const [, what, schema, name] of sql.matchAll(pattern)) {
    const kind = /function/i.test(what as string) ? 'rpc' : /view/i.test(what as string) ? 'view' : 'table';
    found.set(`${schema}.${name}`, { kind, schema: schema as string, name: name as string });
  }
  return [...found.values()];
}

type Op = 'select' | 'insert' | 'update' | 'upsert' | 'delete';
const OPS: readonly Op[] = ['select', 'insert', 'update', 'upsert', 'delete'];

interface Identity {
  readonly name: string;
  readonly token: string | undefined;
  /** The tenant its claim names (what it may legitimately see), if any. */
  readonly own: string | undefined;
  /** Whose rows it attacks. */
  readonly victim: string;
}

const tenantA = uniqueTenant('iso-a');
const tenantB = uniqueTenant('iso-b');
const seeded = new Map<string, Row[]>(); // table -> rows of A and B

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

async function identities(): Promise<Identity[]> {
  const real = new TokenMinter(cloud.jwtSecret);
  // Claims an auth hook should never issue, but a misconfigured one might: not strings.
  const oddClaim = (value: unknown): Promise<string> => real.mint({ tenant_id: value } as unknown as Parameters<TokenMinter['mint']>[0]);
  const forger = new TokenMinter(`forged-${randomUUID()}-${randomUUID()}`);
  const now = Math.floor(Date.now() / 1000);
  const unsigned = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ role: 'service_role', tenant_id: tenantB, exp: now + 600 })}.`;
  // Signed with the right secret but claiming HS256 over a body that was altered afterwards.
  const good = await real.mint({ tenant_id: tenantA });
  const [header, , signature] = good.split('.');
  const tampered = `${header}.${base64url({ role: 'authenticated', tenant_id: tenantB, exp: now + 600 })}.${signature}`;
  // A token signed with the anon key's text as the secret (a classic confusion), claiming service_role.
  const keyAsSecret = `${base64url({ alg: 'HS256', typ: 'JWT' })}.${base64url({ role: 'service_role', exp: now + 600 })}`;
  const keyConfused = `${keyAsSecret}.${createHmac('sha256', cloud.anonKey).update(keyAsSecret).digest('base64url')}`;
  return [
    { name: 'anon', token: undefined, own: undefined, victim: tenantB },
    { name: 'tenant A', token: good, own: tenantA, victim: tenantB },
    { name: 'tenant B', token: await real.mint({ tenant_id: tenantB }), own: tenantB, victim: tenantA },
    { name: 'no tenant claim', token: await real.mint({}), own: undefined, victim: tenantB },
    { name: 'empty tenant claim', token: await real.mint({ tenant_id: '' }), own: '', victim: tenantB },
    { name: 'tenant claim as array', token: await oddClaim([tenantB]), own: undefined, victim: tenantB },
    { name: 'tenant claim as object', token: await oddClaim({ id: tenantB }), own: undefined, victim: tenantB },
    { name: 'wildcard tenant claim', token: await real.mint({ tenant_id: '%' }), own: '%', victim: tenantB },
    { name: 'anon role with tenant claim', token: await real.mint({ role: 'anon', tenant_id: tenantB }), own: undefined, victim: tenantB },
    { name: 'forged signature', token: await forger.mint({ tenant_id: tenantB }), own: undefined, victim: tenantB },
    { name: 'forged service_role', token: await forger.mint({ role: 'service_role' }), own: undefined, victim: tenantB },
    { name: 'alg none', token: unsigned, own: undefined, victim: tenantB },
    { name: 'tampered payload', token: tampered, own: undefined, victim: tenantB },
    { name: 'anon key as HMAC secret', token: keyConfused, own: undefined, victim: tenantB },
    { name: 'expired tenant B', token: await real.mint({ tenant_id: tenantB }, { expiresIn: -60 }), own: undefined, victim: tenantA },
  ];
}

function hlc(): string {
  return `${String(Date.now()).padStart(13, '0')}-0000-attacker`;
}

function victimRow(table: string, victim: string): Row {
  const row = (seeded.get(table) ?? []).find((r) => r.tenant_id === victim);
  if (row === undefined) throw new Error(`no seeded row of ${victim} in ${table}`);
  return row;
}

/** One attempt's answer: whether it was refused, and the rows it returned or wrote. */
interface Answer {
  readonly ok: boolean;
  readonly rows: Row[];
  /** For a push: the tenant of each pushed item, in order, to judge each outcome by. */
  readonly pushed?: readonly unknown[];
}

/** The same request through plain HTTP. */
async function viaRest(identity: Identity, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(`${cloud.url}/rest/v1/${path}`, {
    method,
    headers: {
      apikey: cloud.anonKey,
      ...(identity.token === undefined ? {} : { authorization: `Bearer ${identity.token}` }),
      'content-type': 'application/json',
      prefer: 'return=representation',
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) return { ok: false, rows: [] };
  const data = text === '' ? [] : (JSON.parse(text) as unknown);
  return { ok: true, rows: asRows(data) };
}

function asRows(data: unknown): Row[] {
  // eq_pull answers a set of one page; eq_push answers an applied row with its bare server_version;
  // eq_push_tables an entry per table, `{ answer }` holding eq_push's.
  if (Array.isArray(data)) return data.flatMap((item: unknown) => (typeof item === 'number' ? [{ status: 'applied' }] : asRows(item)));
  if (data !== null && typeof data === 'object') {
    if ('answer' in data) return asRows((data as { answer: unknown }).answer);
    const page = data as { rows?: unknown };
    return Array.isArray(page.rows) ? (page.rows as Row[]) : [data as Row];
  }
  return [];
}

/** The part of supabase-js the matrix drives, untyped by table (the tables are made at run time). */
type Query = PromiseLike<{ data: unknown; error: unknown }>;
interface Client {
  from(table: string): {
    select(columns: string): Query;
    insert(row: object): { select(): Query };
    update(values: object): { eq(column: string, value: unknown): { select(): Query } };
    upsert(row: object, options: { onConflict: string }): { select(): Query };
    delete(): { eq(column: string, value: unknown): { select(): Query } };
  };
  rpc(fn: string, args: object): Query;
}
const clients = new Map<string, Client>();

function client(identity: Identity, schema = 'public'): Client {
  const key = `${identity.name}:${schema}`;
  const known = clients.get(key);
  if (known) return known;
  // A client bound to another schema is typed for it; the matrix only needs the untyped surface.
  const made = createClient(cloud.url, cloud.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: ws as never },
    db: { schema },
    ...(identity.token === undefined ? {} : { accessToken: async () => identity.token as string }),
  }) as unknown as Client;
  clients.set(key, made);
  return made;
}

/** Any row an identity got back or touched that is not its own tenant's is a cross-tenant hit. */
function crossTenant(identity: Identity, answer: Answer, victimIds: ReadonlySet<unknown>): number {
  if (!answer.ok) return 0;
  return answer.rows.filter((row) => {
    const tenant = (row as { tenant_id?: unknown }).tenant_id;
    const nested = (row as { row?: { tenant_id?: unknown } }).row?.tenant_id;
    if (nested !== undefined && nested !== identity.own) return true; // a conflict outcome carrying another tenant's row
    if ((row as { status?: unknown }).status !== undefined) {
      // A push outcome. An item of another tenant must be refused; an item of the
      // caller's own tenant under another tenant's id is the caller's own row (keys are
      // per tenant), which the snapshot check proves left the victim's row alone.
      const pushedTenant = answer.pushed?.[answer.rows.indexOf(row)];
      return row.status !== 'rejected' && (pushedTenant === undefined || pushedTenant !== identity.own);
    }
    return (tenant !== undefined && tenant !== identity.own) || (victimIds.has(row.id) && identity.own !== undefined && tenant !== identity.own);
  }).length;
}

/**
 * Every row of the tables, as the service role sees them, less the rows an attacker
 * rightly made in its own tenant: a "hijacked" copy of a victim's row under the
 * attacker's own tenant is a new row of the attacker's (keys are per tenant), which its
 * own PATCH may then have "changed". A victim's row changed, or a row planted in a
 * victim's tenant, still shows.
 */
async function snapshot(tables: readonly string[]): Promise<string> {
  const all: Row[] = [];
  for (const table of tables) {
    const response = await fetch(`${cloud.url}/rest/v1/${table}?select=*&order=tenant_id,id`, {
      headers: { apikey: cloud.serviceKey, authorization: `Bearer ${cloud.serviceKey}` },
    });
    const seededTenant = new Map((seeded.get(table) ?? []).map((row) => [row.id, row.tenant_id]));
    const rows = ((await response.json()) as Row[]).filter((row) => {
      const owner = seededTenant.get(row.id);
      // The caller's own copy, maybe then edited by its own PATCH ("changed"); anything
      // landing on a victim's (tenant, id) or planted under a victim's tenant stays in.
      return !((row.body === 'hijacked' || row.body === 'changed') && owner !== undefined && owner !== row.tenant_id);
    });
    all.push(...rows.map((row) => ({ table, ...row })));
  }
  return JSON.stringify(all);
}

describe('tenant isolation matrix', () => {
  beforeAll(async () => {
    await applySql(cloud, sql);
    // Two rows of each tenant in every table, written as the back office would (service role).
    for (const table of plugin.tables) {
      const rows = [tenantA, tenantA, tenantB, tenantB].map((tenant, i) => ({
        id: randomUUID(),
        tenant_id: tenant,
        updated_at: hlc(),
        deleted: false,
        body: `${tenant} row ${i}`,
      }));
      const response = await fetch(`${cloud.url}/rest/v1/${table.name}`, {
        method: 'POST',
        headers: { apikey: cloud.serviceKey, authorization: `Bearer ${cloud.serviceKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(rows),
      });
      expect(response.status, await response.text()).toBe(201);
      seeded.set(table.name, rows);
    }
  });

  it('anon, tenants A and B, and forged or odd tokens × every exposed table, view and RPC × select/insert/update/upsert/delete × supabase-js and REST: 0 cross-tenant reads or writes', async () => {
    const objects = createdObjects();
    const tables = plugin.tables.map((table) => table.name);
    // What the migration creates in public is what PostgREST serves (to the roles granted it); nothing else of it is served.
    const paths = new Set<string>();
    for (const bearer of [cloud.serviceKey, await new TokenMinter(cloud.jwtSecret).mint({ tenant_id: tenantA })]) {
      const spec = (await (await fetch(`${cloud.url}/rest/v1/`, { headers: { apikey: cloud.anonKey, authorization: `Bearer ${bearer}` } })).json()) as {
        paths: Record<string, unknown>;
      };
      for (const path of Object.keys(spec.paths)) paths.add(path);
    }
    const exposed = objects.filter((o) => o.schema === 'public');
    const hidden = objects.filter((o) => o.schema !== 'public');
    for (const o of exposed) expect([...paths], `${o.name} is exposed`).toContain(o.kind === 'rpc' ? `/rpc/${o.name}` : `/${o.name}`);
    expect(exposed.filter((o) => o.kind !== 'rpc').map((o) => o.name).sort()).toEqual([...tables].sort());
    for (const o of hidden) expect([...paths]).not.toContain(o.kind === 'rpc' ? `/rpc/${o.name}` : `/${o.name}`);

    const before = await snapshot(tables);
    const people = await identities();
    let cells = 0;
    let requests = 0;
    let leaks = 0;
    let refusedCells = 0;
    const leaksAt: string[] = [];

    const attempt = async (identity: Identity, via: 'supabase-js' | 'rest', object: { kind: string; schema: string; name: string }, op: Op): Promise<Answer[]> => {
      const answers: Answer[] = [];
      const js = object.schema === 'public' ? client(identity) : client(identity, object.schema);
      const profile: Record<string, string> = object.schema === 'public' ? {} : { 'accept-profile': object.schema, 'content-profile': object.schema };
      const send = async (rest: () => Promise<Answer>, sdk: () => PromiseLike<{ data: unknown; error: unknown }>): Promise<void> => {
        requests += 1;
        if (via === 'rest') answers.push(await rest());
        else {
          const { data, error } = await sdk();
          answers.push(error ? { ok: false, rows: [] } : { ok: true, rows: asRows(data) });
        }
      };
      if (object.kind !== 'rpc') {
        const table = object.name;
        const target = object.schema === 'public' ? victimRow(table, identity.victim) : { id: 'x', tenant_id: identity.victim };
        const planted = { id: randomUUID(), tenant_id: identity.victim, updated_at: hlc(), deleted: false, body: 'planted' };
        const hijack = { ...target, tenant_id: identity.own ?? tenantA, body: 'hijacked', updated_at: hlc() };
        const overwrite = { ...target, body: 'overwritten', updated_at: hlc() };
        switch (op) {
          case 'select':
            await send(() => viaRest(identity, 'GET', `${table}?select=*`, undefined, profile), () => js.from(table).select('*'));
            break;
          case 'insert':
            await send(() => viaRest(identity, 'POST', table, planted, profile), () => js.from(table).insert(planted).select());
            break;
          case 'update':
            await send(
              () => viaRest(identity, 'PATCH', `${table}?id=eq.${target.id}`, { body: 'changed' }, profile),
              () => js.from(table).update({ body: 'changed' }).eq('id', target.id).select(),
            );
            break;
          case 'upsert':
            for (const row of [hijack, overwrite]) {
              await send(
                () => viaRest(identity, 'POST', `${table}?on_conflict=tenant_id,id`, row, { ...profile, prefer: 'resolution=merge-duplicates,return=representation' }),
                () => js.from(table).upsert(row, { onConflict: 'tenant_id,id' }).select(),
              );
            }
            break;
          case 'delete':
            await send(() => viaRest(identity, 'DELETE', `${table}?id=eq.${target.id}`, undefined, profile), () => js.from(table).delete().eq('id', target.id).select());
        }
        return answers;
      }
      // RPCs: each operation aimed at every synced table through the function.
      for (const table of object.schema === 'public' ? tables : [tables[0] as string]) {
        const target = victimRow(table, identity.victim);
        const items: Record<Op, unknown> = {
          select: null,
          insert: [{ id: randomUUID(), tenant_id: identity.victim, updated_at: hlc(), deleted: false, body: 'planted' }],
          update: [{ ...target, body: 'changed', updated_at: hlc() }],
          upsert: [{ ...target, tenant_id: identity.own ?? tenantA, body: 'hijacked', updated_at: hlc() }],
          delete: [{ ...target, deleted: true, updated_at: hlc() }],
        };
        const args: Record<string, unknown> =
          object.name === 'eq_pull'
            ? { p_table: table, p_cursor: null, p_limit: 1000 }
            : object.name === 'eq_health'
              ? {}
              : object.name === 'eq_push_tables'
                ? { p_pushes: [{ table, rows: items[op] ?? [], bases: null, echo: false }] }
                : object.name === 'eq_push' || object.schema !== 'public'
                ? { p_table: table, p_rows: items[op] ?? [] }
                : {};
        await send(() => viaRest(identity, 'POST', `rpc/${object.name}`, args, profile), () => js.rpc(object.name, args));
        const pushedItems = args.p_rows ?? (args.p_pushes as { rows: unknown }[] | undefined)?.[0]?.rows;
        if (Array.isArray(pushedItems)) {
          const last = answers.pop() as Answer;
          answers.push({ ...last, pushed: pushedItems.map((item: { tenant_id?: unknown }) => item.tenant_id) });
        }
        if (object.name === 'eq_health') break;
      }
      return answers;
    };

    const jobs: Array<() => Promise<void>> = [];
    for (const identity of people) {
      const victimIds = new Set<unknown>(tables.flatMap((table) => (seeded.get(table) ?? []).filter((row) => row.tenant_id !== identity.own).map((row) => row.id)));
      for (const object of objects) {
        if (object.kind === 'rpc' && object.schema !== 'public' && /stamp_row|refuse_change/.test(object.name)) continue; // trigger functions take no call
        for (const op of OPS) {
          for (const via of ['supabase-js', 'rest'] as const) {
            jobs.push(async () => {
              const answers = await attempt(identity, via, object, op);
              cells += 1;
              const hit = answers.reduce((n, answer) => n + crossTenant(identity, answer, victimIds), 0);
              // Nothing of the private schema may answer at all.
              const privateAnswered = object.schema !== 'public' && answers.some((answer) => answer.ok) ? 1 : 0;
              if (answers.every((answer) => !answer.ok)) refusedCells += 1;
              if (hit + privateAnswered > 0) {
                leaks += hit + privateAnswered;
                leaksAt.push(`${identity.name} × ${object.schema}.${object.name} × ${op} × ${via}`);
              }
            });
          }
        }
      }
    }
    // A few requests at a time: enough to be quick, few enough for a shared machine.
    const queue = [...jobs];
    await Promise.all(Array.from({ length: 8 }, async () => {
      for (let job = queue.shift(); job !== undefined; job = queue.shift()) await job();
    }));

    // The checker itself is checked: the service role does see both tenants, and it must say so.
    const control: Identity = { name: 'service role (control)', token: cloud.serviceKey, own: tenantA, victim: tenantB };
    const controlIds = new Set<unknown>(tables.flatMap((table) => (seeded.get(table) ?? []).filter((row) => row.tenant_id !== tenantA).map((row) => row.id)));
    const controlHits = (await attempt(control, 'rest', { kind: 'table', schema: 'public', name: tables[0] as string }, 'select')).reduce(
      (n, answer) => n + crossTenant(control, answer, controlIds),
      0,
    );
    expect(controlHits).toBeGreaterThan(0);

    const after = await snapshot(tables);
    const changed = before === after ? 0 : 1;
    const objectCount = objects.filter((o) => !(o.kind === 'rpc' && o.schema !== 'public' && /stamp_row|refuse_change/.test(o.name))).length;
    report('tenant isolation matrix', {
      identities: people.length,
      objects: `${objectCount} (${exposed.filter((o) => o.kind === 'table').length} tables, ${exposed.filter((o) => o.kind === 'view').length} views, ${exposed.filter((o) => o.kind === 'rpc').length} RPCs exposed; ${objectCount - exposed.length} private)`,
      operations: OPS.length,
      clients: 2,
      cells,
      requests,
      refusedCells,
      crossTenantHits: leaks,
      controlHits,
      victimRowsChanged: changed,
    });
    expect(leaksAt).toEqual([]);
    expect(after).toBe(before);
    expect(cells).toBe(people.length * objectCount * OPS.length * 2);
  });
});
