import Database from 'better-sqlite3';
import { describe, expect, it, onTestFinished } from 'vitest';
import { definePlugin, type RemoteStore, type SyncRunResult, type SyncTrigger } from '../../src/index.js';
import { cloudRows, eventually, installCloudSchema, openDevice, sleep, uniqueSuffix, uniqueTenant, type TestDevice } from '../../src/testing/index.js';

const notes = `notes_${uniqueSuffix()}`;
const plugin = definePlugin({
  name: 'notes',
  version: '1.0.0',
  tables: [{ name: notes, columns: { body: { type: 'text' } }, strategy: 'LastWriteWins' }],
});

interface Run {
  readonly trigger: SyncTrigger;
  readonly result: SyncRunResult;
}

/**
 * Starts the device's engine and waits for its first run (the cloud answering:
 * back-online); returns every run from then on, and counts the store's change signals
 * (a signal the engine would skip as empty still shows here).
 */
async function started(device: TestDevice): Promise<Run[] & { signals: number }> {
  const runs = Object.assign([] as Run[], { signals: 0 });
  device.engine.onDidRun.subscribe((run) => runs.push(run));
  const signals = device.store.localChanges$.subscribe(() => (runs.signals += 1));
  onTestFinished(() => signals.unsubscribe());
  device.engine.start();
  expect(await eventually(() => runs.length > 0, 10_000, 10)).toBe(true);
  expect(runs[0]).toMatchObject({ trigger: 'back-online', result: { error: null } });
  runs.length = 0;
  runs.signals = 0;
  return runs;
}

/**
 * The device's remote without its live channel: the runs a join or another device's
 * push start (trigger 'nudge') would mix with the ones counted here. `equinox watch`'s
 * test (host/test/watch-output.test.ts) runs with it.
 */
const withoutLive = (real: RemoteStore): RemoteStore => ({
  push: (table, items) => real.push(table, items),
  pull: (table, cursor, limit) => real.pull(table, cursor, limit),
  rpc: (fn, args) => real.rpc(fn, args),
  health: (timeoutMs) => real.health(timeoutMs),
});

/** A connection to the device's file of its own, as a host app or another process has it. */
function otherConnection(device: TestDevice): Database.Database {
  const db = new Database(device.path);
  db.pragma('busy_timeout = 5000');
  onTestFinished(() => {
    db.close();
  });
  return db;
}

const triggers = (runs: readonly Run[]): SyncTrigger[] => runs.map((run) => run.trigger);

describe('runs started by local changes', () => {
  it('a write through the store starts its upload at once, and no empty run follows it', async () => {
    await installCloudSchema([plugin]);
    const tenant = uniqueTenant('at-once');
    const till = await openDevice({ name: 'till', tenant, plugins: [plugin], remote: withoutLive });
    const runs = await started(till);

    // What happens in what order: the run starts in the write's own task, before any timer could fire.
    const events: string[] = [];
    let syncing = till.engine.status.isSyncing;
    till.engine.status$.subscribe((status) => {
      if (status.isSyncing && !syncing) events.push('run started');
      syncing = status.isSyncing;
    });
    const row = till.store.forPlugin('notes').insert(notes, { body: 'price 4.20' });
    events.push('write returned');
    await new Promise((resolve) => setImmediate(resolve));
    events.push('next task');
    expect(events).toEqual(['write returned', 'run started', 'next task']);

    expect(await eventually(() => runs.length === 1, 10_000, 10)).toBe(true);
    expect(runs[0]).toMatchObject({ trigger: 'local-change', result: { uploaded: 1, error: null } });
    expect((await cloudRows(notes, tenant)).map((cloudRow) => cloudRow.id)).toEqual([row.id]);
    // A quiet 2 s: the upload (rows marked Synced, the queue emptied) is no reason for another run.
    await sleep(2_000);
    expect(triggers(runs)).toEqual(['local-change']);
    expect(runs.signals).toBe(1);
  });

  it('a burst of writes makes one run: those made while it starts go up with it, and no empty run follows', async () => {
    await installCloudSchema([plugin]);
    const tenant = uniqueTenant('burst');
    const till = await openDevice({ name: 'till', tenant, plugins: [plugin], remote: withoutLive });
    const runs = await started(till);
    const scoped = till.store.forPlugin('notes');
    for (let i = 0; i < 20; i++) scoped.insert(notes, { body: `line ${i}` });
    await new Promise((resolve) => setImmediate(resolve));
    // The run is probing the cloud now; these come before its upload reads the queue.
    expect(till.engine.status.isSyncing).toBe(true);
    for (let i = 0; i < 5; i++) scoped.insert(notes, { body: `late ${i}` });
    expect(await eventually(() => runs.length === 1, 10_000, 10)).toBe(true);
    await sleep(1_000);
    expect(runs.map(({ trigger, result }) => [trigger, result.uploaded])).toEqual([['local-change', 25]]);
    expect(await cloudRows(notes, tenant)).toHaveLength(25);
  });

  it('a write made after the upload of a run has read the queue gets one more run', async () => {
    await installCloudSchema([plugin]);
    const tenant = uniqueTenant('trailing');
    let writeDuringPull: (() => void) | undefined;
    const till = await openDevice({
      name: 'till',
      tenant,
      plugins: [plugin],
      remote: (real) => ({
        ...withoutLive(real),
        pull: (table, cursor, limit) => {
          const write = writeDuringPull;
          writeDuringPull = undefined;
          write?.();
          return real.pull(table, cursor, limit);
        },
      }),
    });
    const runs = await started(till);
    const scoped = till.store.forPlugin('notes');
    writeDuringPull = () => scoped.insert(notes, { body: 'during the pull' });
    scoped.insert(notes, { body: 'first' });
    expect(await eventually(() => runs.length === 2, 10_000, 10)).toBe(true);
    await sleep(1_000);
    expect(runs.map(({ trigger, result }) => [trigger, result.uploaded])).toEqual([
      ['local-change', 1],
      ['local-change', 1],
    ]);
    expect(await cloudRows(notes, tenant)).toHaveLength(2);
  });

  it("another connection's plain-SQL write is noticed by the data_version watch and uploaded", async () => {
    await installCloudSchema([plugin]);
    const tenant = uniqueTenant('other-connection');
    const till = await openDevice({ name: 'till', tenant, plugins: [plugin], remote: withoutLive });
    const runs = await started(till);
    otherConnection(till).prepare(`INSERT INTO ${notes} (id, body) VALUES ('from-app', 'written by a host app')`).run();
    expect(await eventually(() => runs.length === 1, 5_000, 10)).toBe(true);
    expect(runs[0]).toMatchObject({ trigger: 'local-change', result: { uploaded: 1, error: null } });
    expect((await cloudRows(notes, tenant)).map((row) => row.id)).toEqual(['from-app']);
    await sleep(1_000);
    expect(triggers(runs)).toEqual(['local-change']);
    expect(runs.signals).toBe(1);
  });

  it('rows a pull applies start no run, whether this engine pulled them or another connection to the file did', async () => {
    await installCloudSchema([plugin]);
    const tenant = uniqueTenant('pulled');
    const office = await openDevice({ name: 'office', tenant, plugins: [plugin] });
    const till = await openDevice({ name: 'till', tenant, plugins: [plugin], remote: withoutLive });
    const runs = await started(till);

    office.store.forPlugin('notes').insert(notes, { body: 'from the office' });
    expect((await office.engine.syncNow()).uploaded).toBe(1);
    expect(await eventually(async () => (await till.engine.syncNow()).downloaded === 1, 10_000)).toBe(true);
    // The same device's engine on another connection (as `equinox sync` beside `equinox watch`) pulls and acks.
    const sameFile = await openDevice({ name: 'till', tenant, plugins: [plugin], path: till.path, remote: withoutLive });
    office.store.forPlugin('notes').insert(notes, { body: 'again from the office' });
    expect((await office.engine.syncNow()).uploaded).toBe(1);
    expect(await eventually(async () => (await sameFile.engine.syncNow()).downloaded === 1, 10_000)).toBe(true);
    expect(till.store.forPlugin('notes').query(notes)).toHaveLength(2);
    await sleep(1_000);
    expect(runs.every((run) => run.trigger === 'manual')).toBe(true);
    expect(runs.signals).toBe(0);
  });

  it('offline, writes queue without a network call and go up when the cloud is back', async () => {
    await installCloudSchema([plugin]);
    const tenant = uniqueTenant('offline');
    let down = false;
    let calls = 0;
    const switchable = (real: RemoteStore): RemoteStore => ({
      push: (table, items) => (calls++, real.push(table, items)),
      pull: (table, cursor, limit) => (calls++, real.pull(table, cursor, limit)),
      rpc: (fn, args) => (calls++, real.rpc(fn, args)),
      health: async (timeoutMs) => (down ? { online: false, latencyMs: 0 } : real.health(timeoutMs)),
    });
    const till = await openDevice({ name: 'till', tenant, plugins: [plugin], remote: switchable, sync: { offlineProbeMs: 100 } });
    const runs = await started(till);
    down = true;
    const before = calls;
    const scoped = till.store.forPlugin('notes');
    scoped.insert(notes, { body: 'while offline 1' });
    expect(await eventually(() => runs.length === 1, 5_000, 10)).toBe(true);
    expect(runs[0]).toMatchObject({ trigger: 'local-change', result: { offline: true, uploaded: 0 } });
    expect(till.engine.status.online).toBe(false);
    scoped.insert(notes, { body: 'while offline 2' });
    await sleep(500);
    expect(calls).toBe(before);
    expect(triggers(runs)).toEqual(['local-change']);
    expect(till.store.pendingUploads()).toBe(2);

    down = false;
    expect(await eventually(() => runs.length === 2, 5_000, 10)).toBe(true);
    expect(runs[1]).toMatchObject({ trigger: 'back-online', result: { uploaded: 2, error: null } });
    expect(await cloudRows(notes, tenant)).toHaveLength(2);
  });
});
