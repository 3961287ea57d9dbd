import { afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { definePlugin, RemoteRejectedError, type RemoteStore } from '../src/index.js';
import { newRow } from './protocol-kit.js';
import { cloudRest, deviceRemote, deviceToken, installCloudSchema, localRows, openDevice, pullAll, uniqueName, uniqueTenant, type TestDevice } from '../src/testing/index.js';

// eq_pull_many: a sync with nothing to upload in one request — the health probe's answer
// and each table's first page (DESIGN.md §4). First the function itself, then the engine
// counting its HTTP requests through the device's own fetch.

const cloud = inject('cloud');
const notes = uniqueName('many_notes');
const tags = uniqueName('many_tags');
const receipts = uniqueName('many_receipts');

const plugin = definePlugin({
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
interface Calls {
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
}

function counting(calls: Calls): typeof fetch {
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
    if (calls.withoutPullMany && fn === 'eq_pull_many') {
      const body = { code: 'PGRST202', message: 'Could not find the function public.eq_pull_many(p_cursors, p_limit) in the schema cache', details: null, hint: null };
      return new Response(JSON.stringify(body), { status: 404, headers: { 'content-type': 'application/json' } });
    }
    return fetch(input, init);
  };
}

async function device(name: string, tenant: string, options: { pullPageSize?: number; remote?: (remote: RemoteStore) => RemoteStore } = {}): Promise<TestDevice & { calls: Calls }> {
  const calls: Calls = { made: [], sent: [], offline: false, withoutPullMany: false, postedCursorsOnly: false, replicaAnswersGets: false };
  const opened = await openDevice({
    name,
    tenant,
    plugins: [plugin],
    fetch: counting(calls),
    ...(options.pullPageSize === undefined ? {} : { sync: { pullPageSize: options.pullPageSize } }),
    ...(options.remote === undefined ? {} : { remote: options.remote }),
  });
  return Object.assign(opened, { calls });
}

/** Writes rows of `tenant` straight through the protocol, as another device would. */
async function seed(tenant: string, table: string, rows: readonly Record<string, unknown>[], as = 'seeder'): Promise<string[]> {
  const remote = await deviceRemote(tenant, as);
  const made = rows.map((fields) => newRow(tenant, fields));
  await remote.push(table, made.map((row) => ({ row, base_version: null })));
  return made.map((row) => String(row.id));
}

describe('eq_pull_many', () => {
  beforeAll(() => installCloudSchema([plugin]));

  it("answers what eq_health says, and for each table the page eq_pull answers for its cursor", async () => {
    const tenant = uniqueTenant('many');
    await seed(tenant, notes, [{ body: 'a' }, { body: 'b' }, { body: 'c' }]);
    await seed(tenant, tags, [{ label: 'x' }]);
    const remote = await deviceRemote(tenant, 'till-1');
    const { rows: [, second] } = await pullAll(remote, notes, { limit: 2 });
    const cursor = { server_version: Number(second!.server_version), scope: null };

    const { health, pages } = await remote.pullMany({ [notes]: cursor, [tags]: null, [receipts]: null }, 1000);
    const probe = await remote.health(2_000);
    expect(health).toMatchObject({ online: true, protocol: probe.protocol, tenant, device: 'till-1', epoch: probe.epoch, scopes: probe.scopes });
    expect(BigInt(health.highWater!)).toBeLessThanOrEqual(BigInt(probe.highWater!));
    for (const [table, from] of [[notes, cursor], [tags, null], [receipts, null]] as const) {
      // The marks move with every write to the cloud (other tests run beside this one): compared by their keys.
      const { marks: aloneMarks, ...alone } = await remote.pull(table, from, 1000);
      const { marks, ...page } = pages[table]!;
      expect(page).toEqual(alone);
      expect(Object.keys(marks!).sort()).toEqual(Object.keys(aloneMarks!).sort());
    }
    expect(pages[notes]!.rows.map((row) => row.body)).toEqual(['c']);
    expect(pages[receipts]).toMatchObject({ rows: [], has_more: false, cursor: { server_version: 0, scope: 'till=device_id' } });
  });

  it('answers the first page only: has_more and its cursor lead on to eq_pull', async () => {
    const tenant = uniqueTenant('many-pages');
    const ids = await seed(tenant, notes, [1, 2, 3, 4, 5].map((n) => ({ body: `n${n}` })));
    const remote = await deviceRemote(tenant, 'till-1');
    const { pages } = await remote.pullMany({ [notes]: null }, 2);
    expect(pages[notes]).toMatchObject({ has_more: true });
    expect(pages[notes]!.marks).toBeUndefined();
    const rest = await pullAll(remote, notes, { cursor: pages[notes]!.cursor, limit: 2 });
    expect([...pages[notes]!.rows, ...rest.rows].map((row) => row.id)).toEqual(ids);
  });

  it("never shows another tenant's rows, nor another till's rows of a scoped table", async () => {
    const [mine, theirs] = [uniqueTenant('many-mine'), uniqueTenant('many-theirs')];
    await seed(theirs, notes, [{ body: 'not yours' }]);
    await seed(theirs, receipts, [{ till: 'till-1', total: '9.99' }], 'till-1');
    const [own] = await seed(mine, receipts, [{ till: 'till-1', total: '1.00' }], 'till-1');
    await seed(mine, receipts, [{ till: 'till-2', total: '2.00' }], 'till-2');

    const { health, pages } = await (await deviceRemote(mine, 'till-1')).pullMany({ [notes]: null, [receipts]: null }, 1000);
    expect(health.tenant).toBe(mine);
    expect(pages[notes]!.rows).toEqual([]);
    expect(pages[receipts]!.rows.map((row) => row.id)).toEqual([own]);
    // A token without the claim sees no row of the scoped table.
    expect((await (await deviceRemote(mine)).pullMany({ [receipts]: null }, 1000)).pages[receipts]!.rows).toEqual([]);
  });

  it("probes tables another migration registered as well as its own: the written-out probe and the built one agree", async () => {
    // The function's written-out probe covers the tables of the migration that created it
    // last; here that is `other`'s, so the notes and receipts are probed by the statement built per call.
    const later = uniqueName('many_later');
    const other = definePlugin({ name: 'pull-many-later', version: '1.0.0', tables: [{ name: later, columns: { body: { type: 'text' } }, strategy: 'LastWriteWins' }] });
    await installCloudSchema([other]);
    try {
      const tenant = uniqueTenant('many-mixed');
      await seed(tenant, notes, [{ body: 'n' }]);
      await seed(tenant, later, [{ body: 'l' }]);
      await seed(tenant, receipts, [{ till: 'till-2', total: '1.00' }], 'till-2');
      const remote = await deviceRemote(tenant, 'till-1');
      const { pages } = await remote.pullMany({ [notes]: null, [later]: null, [receipts]: null, [tags]: null }, 1000);
      expect(pages[notes]!.rows.map((row) => row.body)).toEqual(['n']);
      expect(pages[later]!.rows.map((row) => row.body)).toEqual(['l']);
      // Another till's receipt is outside this till's scope, whichever probe looked.
      expect(pages[receipts]!.rows).toEqual([]);
      expect(pages[tags]!.rows).toEqual([]);
      const past = (table: string) => ({ server_version: Number(pages[table]!.cursor.server_version), scope: pages[table]!.cursor.scope ?? null });
      const again = await remote.pullMany({ [notes]: past(notes), [later]: past(later) }, 1000);
      expect([again.pages[notes]!.rows, again.pages[later]!.rows]).toEqual([[], []]);
    } finally {
      await installCloudSchema([plugin]);
    }
  });

  it('answers cursors sent in the URL (a GET: PostgREST hands them over as a string) as it answers them posted', async () => {
    const tenant = uniqueTenant('many-get');
    await seed(tenant, notes, [{ body: 'a' }, { body: 'b' }]);
    const token = await deviceToken(tenant, 'till-1');
    const cursors = { [notes]: null, [receipts]: null };
    const inUrl = encodeURIComponent(JSON.stringify(cursors));
    const got = await cloudRest('GET', `rpc/eq_pull_many?p_cursors=${inUrl}&p_limit=1`, { token });
    const posted = await cloudRest('POST', 'rpc/eq_pull_many', { token, body: { p_cursors: cursors, p_limit: 1 } });
    expect([got.status, posted.status]).toEqual([200, 200]);
    type Answer = { tenant: string; replica: boolean; pages: Record<string, { rows: { body: string }[]; has_more: boolean; cursor: unknown }> };
    // A set of one json value, as PostgREST returns a set.
    const [[viaGet], [viaPost]] = [got.body, posted.body] as [[Answer], [Answer]];
    expect(viaGet.tenant).toBe(tenant);
    // The primary answered (a read replica would say so: its marks and pages lag).
    expect([viaGet.replica, viaPost.replica]).toEqual([false, false]);
    for (const table of [notes, receipts]) {
      const { rows, has_more, cursor } = viaGet.pages[table]!;
      expect({ rows, has_more, cursor }).toEqual({ rows: viaPost.pages[table]!.rows, has_more: viaPost.pages[table]!.has_more, cursor: viaPost.pages[table]!.cursor });
    }
    expect(viaGet.pages[notes]!.rows.map((row) => row.body)).toEqual(['a']);
    // What the string holds is checked as a posted value is; a string that is no JSON at all is refused too.
    const array = await cloudRest('GET', `rpc/eq_pull_many?p_cursors=${encodeURIComponent('[1]')}`, { token });
    expect([array.status, array.text]).toEqual([400, expect.stringContaining('p_cursors must be an object { \\"<table>\\": <cursor or null> }, got array')]);
    expect((await cloudRest('GET', `rpc/eq_pull_many?p_cursors=${encodeURIComponent('{not json')}`, { token })).status).toBe(400);
  });

  it('refuses a table it does not sync, a cursor that is not one, and too many tables, naming the problem', async () => {
    const remote = await deviceRemote(uniqueTenant('many-refused'), 'till-1');
    const refused = async (cursors: Record<string, unknown>): Promise<RemoteRejectedError> => {
      const error: unknown = await remote.pullMany(cursors as never, 10).catch((failure: unknown) => failure);
      expect(error).toBeInstanceOf(RemoteRejectedError);
      return error as RemoteRejectedError;
    };
    expect((await refused({ [notes]: null, no_such_table: null })).message).toMatch(/table "no_such_table" is not a synced table/);
    expect((await refused({ [notes]: 42 })).message).toMatch(new RegExp(`the cursor of table "${notes}" must be an object or null, got number`));
    const many = Object.fromEntries(Array.from({ length: 65 }, (_, index) => [`t${index}`, null]));
    expect((await refused(many)).message).toMatch(/65 tables asked for, at most 64 in one call/);
    // Only a signed-in device may call it.
    const anon = await fetch(`${cloud.url}/rest/v1/rpc/eq_pull_many`, {
      method: 'POST',
      headers: { apikey: cloud.anonKey, authorization: `Bearer ${cloud.anonKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ p_cursors: {} }),
    });
    expect(anon.status).toBeGreaterThanOrEqual(400);
  });
});

/** Moves the wall clock (Date only: timers and the network keep real time) forward by `ms`. */
function laterByMs(ms: number): void {
  vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + ms });
}

describe('a sync with nothing to upload', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  beforeAll(() => installCloudSchema([plugin]));

  it('is one HTTP request for a device with three tables, and brings what is new', async () => {
    const tenant = uniqueTenant('many-noop');
    const till = await device('till-1', tenant);
    await till.engine.syncNow();
    till.calls.made.length = 0;

    expect(await till.engine.syncNow()).toMatchObject({ error: null, offline: false, downloaded: 0 });
    expect(till.calls.made).toEqual(['eq_pull_many']);
    // Without a body: the cursors go in the URL.
    expect(till.calls.sent).toEqual(expect.arrayContaining(['GET eq_pull_many']));
    expect(till.calls.sent.filter((call) => call.endsWith('eq_pull_many'))).toEqual(['GET eq_pull_many', 'GET eq_pull_many']);
    expect(till.engine.status.online).toBe(true);

    const [id] = await seed(tenant, tags, [{ label: 'new' }]);
    till.calls.made.length = 0;
    expect(await till.engine.syncNow()).toMatchObject({ error: null, downloaded: 1 });
    expect(till.calls.made).toEqual(['eq_pull_many']);
    expect(localRows(till, tags).map((row) => row.id)).toEqual([id]);
    // The marks came with it: the device records the cloud's high-water mark.
    expect(till.store.records.ledger.readMark().highWater).toBeDefined();
  });

  it('pages on with eq_pull past the first page, and applies every row once', async () => {
    const tenant = uniqueTenant('many-more');
    const ids = await seed(tenant, notes, Array.from({ length: 5 }, (_, n) => ({ body: `n${n}` })));
    const till = await device('till-1', tenant, { pullPageSize: 2 });
    expect(await till.engine.syncNow()).toMatchObject({ error: null, downloaded: 5 });
    expect(till.calls.made).toEqual(['eq_pull_many', 'eq_pull', 'eq_pull']);
    expect(localRows(till, notes).map((row) => row.id).sort()).toEqual([...ids].sort());
  });

  it('with something to upload, probes, uploads, then pulls every table in one request, its own rows skipped', async () => {
    const tenant = uniqueTenant('many-upload');
    const [theirs] = await seed(tenant, tags, [{ label: 'from another till' }]);
    const till = await device('till-1', tenant);
    const mine = String(till.store.forPlugin('pull-many-test').insert(notes, { body: 'mine' }).id);
    expect(await till.engine.syncNow()).toMatchObject({ error: null, uploaded: 1, downloaded: 1 });
    expect(till.calls.sent).toEqual(['POST eq_health', 'POST eq_push', 'GET eq_pull_many']);
    expect(localRows(till, tags).map((row) => row.id)).toEqual([theirs]);
    expect(localRows(till, notes).map((row) => row.id)).toEqual([mine]);
    // The cursor moved past the device's own row: the next run brings nothing and writes nothing.
    till.calls.sent.length = 0;
    expect(await till.engine.syncNow()).toMatchObject({ error: null, uploaded: 0, downloaded: 0 });
    expect(till.calls.sent).toEqual(['GET eq_pull_many']);
  });

  it('after an upload, pages on with eq_pull past the one request, and asks table by table of a cloud without eq_pull_many', async () => {
    const tenant = uniqueTenant('many-upload-pages');
    const ids = await seed(tenant, tags, [1, 2, 3, 4, 5].map((n) => ({ label: `t${n}` })));
    const till = await device('till-1', tenant, { pullPageSize: 2 });
    till.store.forPlugin('pull-many-test').insert(notes, { body: 'mine' });
    expect(await till.engine.syncNow()).toMatchObject({ error: null, uploaded: 1, downloaded: 5 });
    expect(till.calls.made).toEqual(['eq_health', 'eq_push', 'eq_pull_many', 'eq_pull', 'eq_pull']);
    expect(localRows(till, tags).map((row) => row.id)).toEqual(ids);
    const older = await device('till-2', tenant);
    older.calls.withoutPullMany = true;
    older.store.forPlugin('pull-many-test').insert(notes, { body: 'theirs' });
    expect(await older.engine.syncNow()).toMatchObject({ error: null, uploaded: 1, downloaded: 6 });
    expect(older.calls.made).toEqual(['eq_health', 'eq_push', 'eq_pull_many', 'eq_pull', 'eq_pull', 'eq_pull']);
  });

  it('goes the ordinary way with a cloud without eq_pull_many, and does not ask it again each run', async () => {
    const tenant = uniqueTenant('many-older');
    const [id] = await seed(tenant, notes, [{ body: 'old cloud' }]);
    const till = await device('till-1', tenant);
    till.calls.withoutPullMany = true;
    expect(await till.engine.syncNow()).toMatchObject({ error: null, downloaded: 1 });
    expect(till.calls.made).toEqual(['eq_pull_many', 'eq_health', 'eq_pull', 'eq_pull', 'eq_pull']);
    expect(localRows(till, notes).map((row) => row.id)).toEqual([id]);
    till.calls.made.length = 0;
    await till.engine.syncNow();
    expect(till.calls.made).toEqual(['eq_health', 'eq_pull', 'eq_pull', 'eq_pull']);
  });

  it('posts the cursors to a cloud whose eq_pull_many reads only a posted object, in the same run and for an hour', async () => {
    const tenant = uniqueTenant('many-posted');
    const [id] = await seed(tenant, notes, [{ body: 'older function' }]);
    const till = await device('till-1', tenant);
    till.calls.postedCursorsOnly = true;
    expect(await till.engine.syncNow()).toMatchObject({ error: null, downloaded: 1 });
    expect(till.calls.sent).toEqual(['GET eq_pull_many', 'POST eq_pull_many']);
    expect(localRows(till, notes).map((row) => row.id)).toEqual([id]);
    till.calls.sent.length = 0;
    expect(await till.engine.syncNow()).toMatchObject({ error: null, downloaded: 0 });
    expect(till.calls.sent).toEqual(['POST eq_pull_many']);
    // The cloud is migrated meanwhile: an hour later the device asks by GET again, and stays with it.
    till.calls.postedCursorsOnly = false;
    laterByMs(61 * 60_000);
    till.calls.sent.length = 0;
    expect(await till.engine.syncNow()).toMatchObject({ error: null, downloaded: 0 });
    expect(await till.engine.syncNow()).toMatchObject({ error: null, downloaded: 0 });
    expect(till.calls.sent).toEqual(['GET eq_pull_many', 'GET eq_pull_many']);
  });

  it('never uses an answer of a read replica: asks the primary by POST at once, and for an hour', async () => {
    const tenant = uniqueTenant('many-replica');
    await seed(tenant, tags, [{ label: 'a first row, so the cloud has a high-water mark' }]);
    const till = await device('till-1', tenant);
    await till.engine.syncNow();
    const mark = till.store.records.ledger.readMark().highWater;
    expect(Number(mark)).toBeGreaterThan(0);
    const [id] = await seed(tenant, notes, [{ body: 'from the primary' }]);
    till.calls.replicaAnswersGets = true;
    till.calls.sent.length = 0;
    const recovered: unknown[] = [];
    till.engine.onDidRecover.subscribe((report) => recovered.push(report));
    // The replica's high-water mark of 0 would read as a cloud restored from a backup, had it been used.
    expect(await till.engine.syncNow()).toMatchObject({ error: null, downloaded: 1 });
    expect(till.calls.sent).toEqual(['GET eq_pull_many', 'POST eq_pull_many']);
    expect(recovered).toEqual([]);
    expect(localRows(till, notes).map((row) => row.id)).toEqual([id]);
    expect(BigInt(till.store.records.ledger.readMark().highWater!)).toBeGreaterThanOrEqual(BigInt(mark!));
    till.calls.sent.length = 0;
    expect(await till.engine.syncNow()).toMatchObject({ error: null, downloaded: 0 });
    expect(till.calls.sent).toEqual(['POST eq_pull_many']);
    // An hour later a GET is tried again; the replica still answers it, so the primary is asked again.
    laterByMs(61 * 60_000);
    till.calls.sent.length = 0;
    expect(await till.engine.syncNow()).toMatchObject({ error: null, downloaded: 0 });
    expect(till.calls.sent).toEqual(['GET eq_pull_many', 'POST eq_pull_many']);
    expect(recovered).toEqual([]);
  });

  it('posts cursors too long for a URL', async () => {
    // Fifty tables' cursors pass the 4,000 characters a URL is given; the cloud refuses the unknown tables, by POST.
    const sent: string[] = [];
    const remote = await deviceRemote(uniqueTenant('many-long'), 'till-1', {
      fetch: (input, init) => {
        sent.push(init?.method ?? 'GET');
        return fetch(input, init);
      },
    });
    const cursor = { server_version: 123456789, scope: 'installation_id=device_id' };
    const cursors = Object.fromEntries(Array.from({ length: 50 }, (_, index) => [`a_rather_long_table_name_${index}`, cursor]));
    expect(JSON.stringify(cursors).length).toBeGreaterThan(4_000);
    await expect(remote.pullMany(cursors, 10)).rejects.toThrow(/is not a synced table/);
    expect(sent).toEqual(['POST']);
  });

  it('goes the ordinary way with a remote that has no pullMany', async () => {
    const till = await device('till-1', uniqueTenant('many-custom'), {
      remote: (remote) => ({
        push: (table, items) => remote.push(table, items),
        pull: (table, cursor, limit) => remote.pull(table, cursor, limit),
        rpc: (fn, args) => remote.rpc(fn, args),
        health: (timeoutMs) => remote.health(timeoutMs),
      }),
    });
    expect(await till.engine.syncNow()).toMatchObject({ error: null });
    expect(till.calls.made).toEqual(['eq_health', 'eq_pull', 'eq_pull', 'eq_pull']);
  });

  it('counts a lost network as offline, in that one request, and comes back online', async () => {
    const till = await device('till-1', uniqueTenant('many-offline'));
    await till.engine.syncNow();
    expect(till.engine.status.online).toBe(true);
    till.calls.offline = true;
    till.calls.made.length = 0;
    const lost = await till.engine.syncNow();
    expect(lost).toMatchObject({ offline: true });
    expect(lost.error).toMatch(/^offline: /);
    expect(till.calls.made).toEqual(['eq_pull_many']);
    expect(till.engine.status.online).toBe(false);
    till.calls.offline = false;
    till.calls.made.length = 0;
    expect(await till.engine.syncNow()).toMatchObject({ offline: false, error: null });
    expect(till.calls.made).toEqual(['eq_pull_many']);
    expect(till.engine.status.online).toBe(true);
  });

  it('still notices a cloud replaced under the device: recovers first, then pulls the ordinary way', async () => {
    const tenant = uniqueTenant('many-replaced');
    const till = await device('till-1', tenant);
    const mine = String(till.store.forPlugin('pull-many-test').insert(notes, { body: 'mine' }).id);
    await till.engine.syncNow();
    const [theirs] = await seed(tenant, tags, [{ label: 'theirs' }]);
    // The device last saw a cloud of another epoch: this one replaced it.
    const { highWater } = till.store.records.ledger.readMark();
    till.store.records.ledger.writeMark({ epoch: 'an-earlier-cloud', ...(highWater === undefined ? {} : { highWater }) });
    const recovered: string[] = [];
    till.engine.onDidRecover.subscribe(({ cause }) => recovered.push(cause));
    till.calls.made.length = 0;

    expect(await till.engine.syncNow()).toMatchObject({ error: null });
    expect(recovered).toEqual(['replaced']);
    // One request found it; the pages it brought were dropped, and the pull went table by table after the comparison.
    expect(till.calls.made[0]).toBe('eq_pull_many');
    expect(till.calls.made.slice(1, -3).every((fn) => fn.startsWith('eq_digest'))).toBe(true);
    expect(till.calls.made.slice(-3)).toEqual(['eq_pull', 'eq_pull', 'eq_pull']);
    expect(localRows(till, notes).map((row) => row.id)).toEqual([mine]);
    expect(localRows(till, tags).map((row) => row.id)).toEqual([theirs]);
    expect(till.store.records.ledger.readMark().epoch).not.toBe('an-earlier-cloud');
    till.calls.made.length = 0;
    await till.engine.syncNow();
    expect(till.calls.made).toEqual(['eq_pull_many']);
  });

  it("applies nothing a token of another tenant shows, and says why", async () => {
    const [mine, theirs] = [uniqueTenant('many-token'), uniqueTenant('many-stranger')];
    await seed(theirs, notes, [{ body: 'theirs' }]);
    const stranger = await deviceRemote(theirs, 'till-1');
    const till = await device('till-1', mine, { remote: () => stranger });
    const run = await till.engine.syncNow();
    expect(run.error).toMatch(new RegExp(`the token is for tenant "${theirs}" but this device is configured for tenant "${mine}"`));
    expect(run.downloaded).toBe(0);
    expect(localRows(till, notes)).toEqual([]);
  });
});
