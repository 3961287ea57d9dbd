import { disconnectRealtime } from '@equinox-sync/local-cloud/testing';
import pg from 'pg';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { definePlugin, type RemoteStore, type SyncRunResult, type SyncTrigger } from '../../src/index.js';
import { liveTopic } from '../../src/remote/index.js';
import { eventually, installCloudSchema, localRows, openDevice, sleep, uniqueSuffix, uniqueTenant, type TestDevice } from '../../src/testing/index.js';

// Live nudges end to end (DESIGN.md §4): real engines, supabase-js's realtime client, the
// local cloud's Realtime. The interval is five minutes, so what arrives within a test
// arrived by a nudge (or by the catch-up run of a join).

const cloud = inject('cloud');
const notes = `live_notes_${uniqueSuffix()}`;
const tags = `live_tags_${uniqueSuffix()}`;
const plugin = definePlugin({
  name: 'live-notes',
  version: '1.0.0',
  tables: [
    { name: notes, columns: { body: { type: 'text' } }, strategy: 'LastWriteWins' },
    { name: tags, columns: { label: { type: 'text' } }, strategy: 'LastWriteWins' },
  ],
});

interface Watched {
  readonly device: TestDevice;
  /** Every run since the watch began. */
  readonly runs: Array<{ trigger: SyncTrigger; result: SyncRunResult }>;
  /** `status.live` each time it changed. */
  readonly live: boolean[];
}

/** What a device's remote did: the tables it pulled, the nudges its live feed let through, its health probes, every call. */
interface Observed {
  readonly pulls: string[];
  readonly heard: string[];
  readonly probes?: number[];
  readonly calls?: string[];
}

/** The real remote, observed. */
function observing(observed: Observed): (remote: RemoteStore) => RemoteStore {
  return (remote) => ({
    push: (table, items) => {
      observed.calls?.push('push');
      return remote.push(table, items);
    },
    pull: (table, cursor, limit) => {
      observed.calls?.push('pull');
      observed.pulls.push(table);
      return remote.pull(table, cursor, limit);
    },
    // The probe and the first pages in one request: each table it asks for counts as pulled.
    pullMany: (cursors, limit) => {
      observed.calls?.push('pullMany');
      observed.pulls.push(...Object.keys(cursors));
      return remote.pullMany!(cursors, limit);
    },
    rpc: (fn, args) => {
      observed.calls?.push('rpc');
      return remote.rpc(fn, args);
    },
    health: (timeoutMs) => {
      observed.calls?.push('health');
      observed.probes?.push(Date.now());
      return remote.health(timeoutMs);
    },
    listen: (tenant) => {
      const feed = remote.listen!(tenant);
      feed.nudges$.subscribe(({ table }) => observed.heard.push(table));
      return feed;
    },
  });
}

/** Opens a device, starts its engine (interval 300 s) and waits until its channel is joined and its first runs are done. */
async function liveDevice(name: string, tenant: string, remote?: (remote: RemoteStore) => RemoteStore): Promise<Watched> {
  const device = await openDevice({ name, tenant, plugins: [plugin], sync: { intervalSeconds: 300 }, ...(remote ? { remote } : {}) });
  const watched: Watched = { device, runs: [], live: [] };
  device.engine.onDidRun.subscribe((run) => watched.runs.push(run));
  device.engine.status$.subscribe((status) => {
    if (watched.live.at(-1) !== status.live) watched.live.push(status.live);
  });
  device.engine.start();
  expect(await eventually(() => device.engine.status.live && !device.engine.status.isSyncing && watched.runs.length > 0, 15_000)).toBe(true);
  return watched;
}

function write(watched: Watched, body: string): string {
  return String(watched.device.store.forPlugin('live-notes').insert(notes, { body }).id);
}

/** Whether `device` holds the row `id`. */
function holds(watched: Watched, id: string): boolean {
  return localRows(watched.device, notes).some((row) => row.id === id);
}

describe('live sync between the devices of a tenant', () => {
  beforeAll(() => installCloudSchema([plugin]));

  it("brings a row written on one till to the other by the cloud's nudge, without a sync there", async () => {
    const tenant = uniqueTenant('live');
    const [a, b] = [await liveDevice('till-a', tenant), await liveDevice('till-b', tenant)];
    b.runs.length = 0;

    const id = write(a, 'price changed');
    expect((await a.device.engine.syncNow()).uploaded).toBe(1);
    expect(await eventually(() => holds(b, id), 10_000)).toBe(true);
    expect(b.device.engine.status.live).toBe(true);
    // B ran because of the nudge, pulled that row, and nobody asked it to sync.
    expect(await eventually(() => b.runs.some((run) => run.result.downloaded > 0), 5_000)).toBe(true);
    expect(b.runs.map((run) => run.trigger)).not.toContain('manual');
    expect(b.runs.find((run) => run.result.downloaded === 1)).toMatchObject({ trigger: 'nudge', result: { error: null } });
  });

  it('pulls only the table the nudge names, and the pushing till hears no echo of its own push', async () => {
    const tenant = uniqueTenant('live-echo');
    const [atA, atB]: [Observed, Observed] = [{ pulls: [], heard: [] }, { pulls: [], heard: [] }];
    const a = await liveDevice('till-a', tenant, observing(atA));
    const b = await liveDevice('till-b', tenant, observing(atB));
    b.runs.length = 0;
    atB.pulls.length = 0;

    const id = write(a, 'one');
    await a.device.engine.syncNow();
    expect(await eventually(() => holds(b, id) && b.runs.length > 0, 10_000)).toBe(true);
    // Only nudge runs, of that table alone.
    expect(new Set(b.runs.map((run) => run.trigger))).toEqual(new Set(['nudge']));
    expect(new Set(atB.pulls)).toEqual(new Set([notes]));
    expect(atB.heard).toEqual([notes]);
    // Long enough for an echo to have come back to A through the same socket as B's nudge.
    await sleep(300);
    expect(atA.heard).toEqual([]);
  });

  it('makes one request for a nudge with nothing to upload: the pull, without a health probe before or after it', async () => {
    const tenant = uniqueTenant('live-cost');
    const atB: Observed = { pulls: [], heard: [], probes: [], calls: [] };
    const a = await liveDevice('till-a', tenant);
    const b = await liveDevice('till-b', tenant, observing(atB));
    for (const body of ['first', 'second']) {
      [atB.pulls.length, atB.probes!.length, atB.calls!.length, b.runs.length] = [0, 0, 0, 0];
      const id = write(a, body);
      await a.device.engine.syncNow();
      expect(await eventually(() => holds(b, id) && b.runs.length > 0 && !b.device.engine.status.isSyncing, 10_000)).toBe(true);
      expect(b.runs.map((run) => run.trigger)).toEqual(['nudge']);
      expect(atB.pulls).toEqual([notes]);
      expect(atB.probes).toEqual([]);
      expect(atB.calls).toEqual(['pullMany']);
    }
    // The marks came with the pull: the device recorded the cloud's high-water mark without asking.
    expect(b.device.store.records.ledger.readMark().highWater).toBeDefined();
  });

  it("gives a device of another tenant no nudge", async () => {
    const tenant = uniqueTenant('live-mine');
    const [a, b] = [await liveDevice('till-a', tenant), await liveDevice('till-b', tenant)];
    const stranger = await liveDevice('till-x', uniqueTenant('live-theirs'));
    stranger.runs.length = 0;

    const id = write(a, 'not for strangers');
    await a.device.engine.syncNow();
    expect(await eventually(() => holds(b, id), 10_000)).toBe(true);
    await sleep(300);
    expect(stranger.runs).toEqual([]);
    expect(localRows(stranger.device, notes)).toEqual([]);
    expect(stranger.device.engine.status.live).toBe(true);
  });

  it('loses nothing when the Realtime socket is killed: the rejoin catches up, later nudges come again', async () => {
    const tenant = uniqueTenant('live-kill');
    const [a, b] = [await liveDevice('till-a', tenant), await liveDevice('till-b', tenant)];
    const first = write(a, 'before');
    await a.device.engine.syncNow();
    expect(await eventually(() => holds(b, first), 10_000)).toBe(true);

    // The cloud drops every socket on the tenant's channel while A is uploading.
    const during = write(a, 'while the socket is down');
    const [dropped] = await Promise.all([disconnectRealtime(cloud, liveTopic(tenant)), a.device.engine.syncNow()]);
    expect(dropped).toBeGreaterThanOrEqual(2);
    expect(await eventually(() => holds(b, during), 15_000)).toBe(true);
    expect(await eventually(() => b.device.engine.status.live, 15_000)).toBe(true);
    expect(b.live).toEqual([false, true, false, true]);

    const after = write(a, 'after the reconnect');
    await a.device.engine.syncNow();
    expect(await eventually(() => holds(b, after), 10_000)).toBe(true);
    expect(b.runs.map((run) => run.trigger)).not.toContain('manual');
  });

  it("brings a row at once while another tenant's write transaction stays open in the cloud", async () => {
    const tenant = uniqueTenant('live-open');
    const [a, b] = [await liveDevice('till-a', tenant), await liveDevice('till-b', tenant)];
    const open = new pg.Client({ connectionString: cloud.adminPgUrl });
    await open.connect();
    try {
      // A back-office import of another tenant, left open: it holds up only its own tenant's writers of this table.
      await open.query('begin');
      await open.query(`insert into public.${notes} (id, tenant_id, updated_at, body) values (gen_random_uuid()::text, $1, '0000000000001-0000-office', 'import')`, [
        uniqueTenant('live-importer'),
      ]);
      const id = write(a, 'not held back');
      await a.device.engine.syncNow();
      expect(await eventually(() => holds(b, id), 10_000)).toBe(true);
      expect(b.runs.map((run) => run.trigger)).not.toContain('manual');
      expect((await open.query<{ open: boolean }>('select true as open')).rows[0]?.open).toBe(true);
    } finally {
      await open.query('rollback').catch(() => undefined);
      await open.end();
    }
  });

  it('says live only while started, and leaves on dispose', async () => {
    const tenant = uniqueTenant('live-status');
    const device = await openDevice({ name: 'till-a', tenant, plugins: [plugin], sync: { intervalSeconds: 300 } });
    expect(device.engine.status.live).toBe(false);
    await device.engine.syncNow();
    expect(device.engine.status.live).toBe(false); // a one-shot sync opens no channel
    device.engine.start();
    expect(await eventually(() => device.engine.status.live, 15_000)).toBe(true);
    let last = true;
    device.engine.status$.subscribe((status) => (last = status.live));
    await device.close();
    expect(last).toBe(false);
  });
});
