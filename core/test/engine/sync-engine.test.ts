import { describe, expect, it } from 'vitest';
import { definePlugin } from '../../src/index.js';
import { cloudRows, installCloudSchema, localRows, openDevice, pickColumns, uniqueSuffix, uniqueTenant } from '../../src/testing/index.js';

const suffix = uniqueSuffix();
const notes = `notes_${suffix}`;
const plugin = definePlugin({
  name: 'notes',
  version: '1.0.0',
  tables: [{ name: notes, columns: { body: { type: 'text' }, n: { type: 'integer' } }, strategy: 'LastWriteWins' }],
});
const columns = ['id', 'body', 'n', 'deleted', 'updated_at'];

describe('two devices of one tenant', () => {
  it('converge after offline edits, whatever the sync order', async () => {
    await installCloudSchema([plugin]);
    for (const order of [['a', 'b'], ['b', 'a']] as const) {
      const tenant = uniqueTenant('converge');
      const a = await openDevice({ name: 'a', tenant, plugins: [plugin] });
      const b = await openDevice({ name: 'b', tenant, plugins: [plugin] });
      const shared = a.store.forPlugin('notes').insert(notes, { body: 'shared', n: 0 });
      await a.engine.syncNow();
      await b.engine.syncNow();

      // Offline on both: new rows, and the same row edited on each side.
      a.store.forPlugin('notes').insert(notes, { body: 'from a', n: 1 });
      b.store.forPlugin('notes').insert(notes, { body: 'from b', n: 2 });
      a.store.forPlugin('notes').update(notes, String(shared.id), { body: 'edited on a' });
      b.store.forPlugin('notes').update(notes, String(shared.id), { body: 'edited on b' });

      const devices = { a, b };
      for (const name of order) await devices[name].engine.syncNow();
      for (const name of order) await devices[name].engine.syncNow();

      const cloud = pickColumns(await cloudRows(notes, tenant), columns);
      expect(cloud).toHaveLength(3);
      expect(pickColumns(localRows(a, notes), columns)).toEqual(cloud);
      expect(pickColumns(localRows(b, notes), columns)).toEqual(cloud);
      // b edited last (its clock is later), so its edit wins everywhere.
      expect(cloud.find((row) => row.id === shared.id)?.body).toBe('edited on b');
      expect(a.store.pendingUploads() + b.store.pendingUploads()).toBe(0);
    }
  });

  it('keeps the later edit under LastWriteWins when one wall clock is an hour behind', async () => {
    await installCloudSchema([plugin]);
    const tenant = uniqueTenant('skew');
    const hour = 3_600_000;
    let realTime = Date.now();
    const a = await openDevice({ name: 'a', tenant, plugins: [plugin], now: () => realTime });
    const b = await openDevice({ name: 'b', tenant, plugins: [plugin], now: () => realTime - hour });
    const row = a.store.forPlugin('notes').insert(notes, { body: 'first', n: 1 });
    await a.engine.syncNow();
    await b.engine.syncNow();
    realTime += 60_000; // a minute later in real time, b edits; its wall clock says 59 minutes earlier
    b.store.forPlugin('notes').update(notes, String(row.id), { body: 'later, from the slow clock' });
    await b.engine.syncNow();
    await a.engine.syncNow();
    expect(a.store.forPlugin('notes').get(notes, String(row.id))?.body).toBe('later, from the slow clock');
    expect((await cloudRows(notes, tenant))[0]?.body).toBe('later, from the slow clock');
  });
});

describe('runs', () => {
  it('never overlap: ten triggers at once make at most two runs, one at a time', async () => {
    await installCloudSchema([plugin]);
    let inFlight = 0;
    let maxInFlight = 0;
    const track = async <T>(call: () => Promise<T>): Promise<T> => {
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      try {
        return await call();
      } finally {
        inFlight -= 1;
      }
    };
    const device = await openDevice({
      name: 'solo',
      tenant: uniqueTenant('runs'),
      plugins: [plugin],
      // A run calls the cloud one request at a time; two calls in flight would mean two runs.
      remote: (remote) => ({
        push: (...args) => track(() => remote.push(...args)),
        pull: (...args) => track(() => remote.pull(...args)),
        health: (...args) => track(() => remote.health(...args)),
        rpc: (fn, args) => track(() => remote.rpc(fn, args)),
      }),
    });
    device.store.forPlugin('notes').insert(notes, { body: 'x', n: 1 });
    let runs = 0;
    const counted = device.engine.onDidRun.subscribe(() => (runs += 1));
    const results = await Promise.all(Array.from({ length: 10 }, () => device.engine.syncNow()));
    counted.unsubscribe();
    expect(maxInFlight).toBe(1);
    expect(runs).toBeGreaterThanOrEqual(1);
    expect(runs).toBeLessThanOrEqual(2);
    expect(results.every((result) => result.error === null)).toBe(true);
    expect(device.store.pendingUploads()).toBe(0);
  });

  it('make no network call but the probe while offline, and keep changes queued', async () => {
    await installCloudSchema([plugin]);
    const calls: string[] = [];
    const device = await openDevice({
      name: 'offline',
      tenant: uniqueTenant('offline'),
      plugins: [plugin],
      url: 'http://127.0.0.1:9', // nothing listens on the discard port
      remote: (remote) => ({
        push: (...args) => (calls.push('push'), remote.push(...args)),
        pull: (...args) => (calls.push('pull'), remote.pull(...args)),
        health: (...args) => (calls.push('health'), remote.health(...args)),
        rpc: (fn, args) => (calls.push('rpc'), remote.rpc(fn, args)),
      }),
    });
    device.store.forPlugin('notes').insert(notes, { body: 'queued', n: 1 });
    const result = await device.engine.syncNow();
    expect(result.offline).toBe(true);
    expect(calls).toEqual(['health']);
    expect(device.store.pendingUploads()).toBe(1);
    expect(device.engine.status.online).toBe(false);
  });
});
