import { describe, expect, it } from 'vitest';
import { definePlugin, type RemoteStore, type ScopedStore } from '../../src/index.js';
import { cloudRows, installCloudSchema, openDevice, uniqueSuffix, uniqueTenant } from '../../src/testing/index.js';

const suffix = uniqueSuffix();
const loose = `loose_${suffix}`;
const chained = `chained_${suffix}`;
const columns = { series: { type: 'text', nullable: false }, qty: { type: 'integer' } } as const;
const plugin = definePlugin({
  name: 'pipeline',
  version: '1.0.0',
  tables: [
    { name: loose, columns, strategy: 'LastWriteWins' },
    { name: chained, columns, strategy: 'LastWriteWins', orderingKey: ['series'] },
  ],
  // A rule only the cloud enforces, so the cloud can refuse a row the device accepted.
  serverSql: `alter table public.${chained} drop constraint if exists ${chained}_qty_check;
              alter table public.${chained} add constraint ${chained}_qty_check check (qty >= 0);`,
});

/** Wraps a remote to count the pushes in flight at once, per table. */
function countingPushes(): { wrap: (remote: RemoteStore) => RemoteStore; most: Map<string, number>; calls: () => number } {
  const now = new Map<string, number>();
  const most = new Map<string, number>();
  let calls = 0;
  const wrap = (remote: RemoteStore): RemoteStore => ({
    health: (timeout) => remote.health(timeout),
    pull: (...args) => remote.pull(...args),
    rpc: (fn, args) => remote.rpc(fn, args),
    push: async (table, items) => {
      calls += 1;
      now.set(table, (now.get(table) ?? 0) + 1);
      most.set(table, Math.max(most.get(table) ?? 0, now.get(table)!));
      try {
        return await remote.push(table, items);
      } finally {
        now.set(table, now.get(table)! - 1);
      }
    },
  });
  return { wrap, most, calls: () => calls };
}

describe('the upload pipeline', () => {
  it('keeps three pushes in flight for a table without an ordering key, and uploads every row once', async () => {
    await installCloudSchema([plugin]);
    const tenant = uniqueTenant('pipeline');
    const pushes = countingPushes();
    const device = await openDevice({ name: 'till', tenant, plugins: [plugin], sync: { batchSize: 500 }, remote: pushes.wrap });
    const scoped = device.store.forPlugin('pipeline');
    device.store.transaction(() => {
      for (let i = 0; i < 2_000; i++) scoped.insert(loose, { series: 'x', qty: i });
    });

    const result = await device.engine.syncNow();
    expect(result).toMatchObject({ error: null, uploaded: 2_000, rejected: 0 });
    expect(pushes.calls()).toBe(4);
    expect(pushes.most.get(loose)).toBe(3);
    const rows = await cloudRows(loose, tenant);
    expect(new Set(rows.map((row) => row.qty)).size).toBe(2_000);
    expect(device.store.pendingUploads()).toBe(0);
  });

  it('uploads, in the same run, a change made to rows while their push is in flight', async () => {
    await installCloudSchema([plugin]);
    const tenant = uniqueTenant('pipeline-edited');
    const pushes = countingPushes();
    let edited = false;
    // The app's writer, known once the device is open.
    const app: { scoped?: ScopedStore } = {};
    const ids: string[] = [];
    const editing = (remote: RemoteStore): RemoteStore => {
      const counted = pushes.wrap(remote);
      return {
        ...counted,
        push: async (table, items) => {
          // The app edits two rows of the first batch while it is on its way.
          if (!edited) {
            edited = true;
            for (const id of [ids[3]!, ids[400]!]) app.scoped!.update(loose, id, { qty: -7 });
          }
          return counted.push(table, items);
        },
      };
    };
    const device = await openDevice({ name: 'till', tenant, plugins: [plugin], sync: { batchSize: 500 }, remote: editing });
    const scoped = (app.scoped = device.store.forPlugin('pipeline'));
    device.store.transaction(() => {
      for (let i = 0; i < 2_000; i++) ids.push(String(scoped.insert(loose, { series: 'x', qty: i }).id));
    });

    const result = await device.engine.syncNow();
    expect(result).toMatchObject({ error: null, rejected: 0 });
    // Four batches read ahead past the rows in flight, then the two edits from the head of the queue.
    expect(pushes.calls()).toBe(5);
    expect(result.uploaded).toBe(2_002);
    const rows = await cloudRows(loose, tenant);
    expect(rows).toHaveLength(2_000);
    expect(rows.filter((row) => row.qty === -7).map((row) => row.id).sort()).toEqual([ids[3], ids[400]].sort());
    expect(device.store.pendingUploads()).toBe(0);
  });

  it('sends one batch at a time for a table with an ordering key, so a refused row holds back the later rows of its key', async () => {
    await installCloudSchema([plugin]);
    const tenant = uniqueTenant('pipeline-ordered');
    const pushes = countingPushes();
    // A backoff longer than the run, so the refused row is not tried again within it.
    const retry = { baseMs: 60_000, maxMs: 120_000, maxAttempts: 3 };
    const device = await openDevice({ name: 'till', tenant, plugins: [plugin], sync: { batchSize: 500, retry }, remote: pushes.wrap });
    const scoped = device.store.forPlugin('pipeline');
    device.store.transaction(() => {
      // Series a and b alternate; the cloud refuses row 10, of series a, in the first batch.
      for (let i = 0; i < 2_000; i++) scoped.insert(chained, { series: i % 2 === 0 ? 'a' : 'b', qty: i === 10 ? -1 : i });
    });

    const result = await device.engine.syncNow();
    expect(pushes.most.get(chained)).toBe(1);
    expect(result.rejected).toBe(1);
    const rows = await cloudRows(chained, tenant);
    const uploaded = (series: string): number => rows.filter((row) => row.series === series).length;
    expect(uploaded('b')).toBe(1_000);
    // Series a: the first batch's rows but the refused one; the later batches' rows wait behind it.
    expect(uploaded('a')).toBe(249);
    expect(device.store.pendingUploads()).toBe(751);
  });
});
