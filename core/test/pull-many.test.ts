import { beforeAll, describe, expect, inject, it } from 'vitest';
import { definePlugin, RemoteRejectedError } from '../src/index.js';
import { cloudRest, deviceRemote, deviceToken, installCloudSchema, pullAll, uniqueName, uniqueTenant } from '../src/testing/index.js';
import { notes, plugin, receipts, seed, tags } from './pull-many-kit.js';

// eq_pull_many: a sync with nothing to upload in one request — the health probe's answer
// and each table's first page (DESIGN.md §4). The function itself, through REST and the
// remote; the engine's runs are in pull-many-runs.test.ts.

const cloud = inject('cloud');

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
