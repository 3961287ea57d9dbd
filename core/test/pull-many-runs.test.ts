import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { deviceRemote, installCloudSchema, localRows, uniqueName, uniqueTenant } from '../src/testing/index.js';
import { definePlugin } from '../src/index.js';
import { device, laterByMs, notes, plugin, seed, tags } from './pull-many-kit.js';

// The engine's runs with eq_pull_many (DESIGN.md §4): a sync with nothing to upload is one
// request, and the pull after an upload one too, counted through the device's own fetch.

const punches = uniqueName('many_punches');
const uploadOnly = definePlugin({
  name: 'pull-many-upload-only',
  version: '1.0.0',
  tables: [{ name: punches, columns: { at: { type: 'text' } }, strategy: 'LocalWins', direction: 'upload-only' }],
});

describe('a sync with nothing to upload', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  beforeAll(() => installCloudSchema([plugin, uploadOnly]));

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

  it('asks nothing more after the upload of a device whose tables only upload', async () => {
    const tenant = uniqueTenant('many-upload-only');
    const till = await device('till-1', tenant, { plugins: [uploadOnly] });
    till.store.forPlugin(uploadOnly.name).insert(punches, { at: 'now' });
    expect(await till.engine.syncNow()).toMatchObject({ error: null, uploaded: 1, downloaded: 0 });
    // The probe, the push, and the probe that records the cloud's mark after rows moved.
    expect(till.calls.made).toEqual(['eq_health', 'eq_push', 'eq_health']);
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
