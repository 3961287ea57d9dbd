import { afterEach, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from '@equinox-sync/local-cloud/testing';
import { definePlugin, SYNC_PROTOCOL_VERSION } from '../../src/index.js';
import { cloudRows, installCloudSchema, openDevice, testCloud, uniqueSuffix, uniqueTenant } from '../../src/testing/index.js';

const cloud = testCloud();

const suffix = uniqueSuffix();
const items = `items_${suffix}`;
const plugin = definePlugin({
  name: 'items',
  version: '1.0.0',
  tables: [{ name: items, columns: { label: { type: 'text' }, qty: { type: 'integer' } }, strategy: 'LastWriteWins' }],
  // A rule only the cloud enforces, so the cloud can refuse a row the device accepted.
  serverSql: `alter table public.${items} drop constraint if exists ${items}_qty_check;
              alter table public.${items} add constraint ${items}_qty_check check (qty >= 0);`,
});

let proxy: FaultProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

describe('failures', () => {
  it('5,000 pending rows upload in batches; the cloud going away mid-run loses nothing and the next run finishes', async () => {
    await installCloudSchema([plugin]);
    proxy = await startFaultProxy(new URL(cloud.url));
    const tenant = uniqueTenant('outage');
    let pushes = 0;
    const device = await openDevice({
      name: 'till',
      tenant,
      plugins: [plugin],
      url: proxy.url,
      sync: { batchSize: 500 },
      remote: (remote) => ({
        ...remote,
        health: (timeout) => remote.health(timeout),
        pull: (...args) => remote.pull(...args),
        push: async (...args) => {
          pushes += 1;
          // The cloud disappears while the fourth batch is on its way.
          if (pushes === 4) await proxy?.setMode({ kind: 'refuse' });
          return remote.push(...args);
        },
      }),
    });
    const scoped = device.store.forPlugin('items');
    device.store.transaction(() => {
      for (let i = 0; i < 5_000; i++) scoped.insert(items, { label: `item ${i}`, qty: i });
    });

    const broken = await device.engine.syncNow();
    expect(broken.error).not.toBeNull();
    // Three pushes are in flight at a time: the second and third may or may not be settled when the fourth fails.
    expect([500, 1_000, 1_500]).toContain(broken.uploaded);
    expect(device.store.pendingUploads()).toBe(5_000 - broken.uploaded);

    await proxy.setMode({ kind: 'pass' });
    const healed = await device.engine.syncNow();
    expect(healed.error).toBeNull();
    expect(device.store.pendingUploads()).toBe(0);
    const rows = await cloudRows(items, tenant);
    expect(rows).toHaveLength(5_000);
    expect(new Set(rows.map((row) => row.label)).size).toBe(5_000);
  });

  it('a refused row does not stop the others, keeps its data and shows in status.failed', async () => {
    await installCloudSchema([plugin]);
    const tenant = uniqueTenant('refused');
    const device = await openDevice({ name: 'till', tenant, plugins: [plugin] });
    const scoped = device.store.forPlugin('items');
    scoped.insert(items, { label: 'before', qty: 1 });
    const bad = scoped.insert(items, { label: 'negative', qty: -5 });
    scoped.insert(items, { label: 'after', qty: 2 });

    const result = await device.engine.syncNow();
    expect(result.rejected).toBe(1);
    expect(result.uploaded).toBe(2);
    expect((await cloudRows(items, tenant)).map((row) => row.label).sort()).toEqual(['after', 'before']);
    const [failed] = device.engine.status.failed;
    expect(failed).toMatchObject({ table: items, id: bad.id, attempts: 1 });
    expect(failed?.reason).toContain('23514');
    expect(scoped.get(items, String(bad.id))?.qty).toBe(-5);
    expect(device.store.rowState(items, String(bad.id))).toBe('PendingUpload');

    // Fixed locally, it goes up with the next run after its backoff.
    scoped.update(items, String(bad.id), { qty: 5 });
    await device.engine.syncNow();
    expect(device.engine.status.failed).toEqual([]);
    expect(await cloudRows(items, tenant)).toHaveLength(3);
  });

  it('a cloud whose schema speaks another sync protocol gets no call but the probe, and changes stay queued', async () => {
    await installCloudSchema([plugin]);
    const tenant = uniqueTenant('protocol');
    let calls = 0;
    const device = await openDevice({
      name: 'till',
      tenant,
      plugins: [plugin],
      remote: (remote) => ({
        health: async (timeout) => ({ ...(await remote.health(timeout)), protocol: 1 }),
        pull: (...args) => ((calls += 1), remote.pull(...args)),
        push: (...args) => ((calls += 1), remote.push(...args)),
        rpc: (fn, args) => ((calls += 1), remote.rpc(fn, args)),
      }),
    });
    device.store.forPlugin('items').insert(items, { label: 'waits', qty: 1 });
    const result = await device.engine.syncNow();
    expect(result.error).toContain(`sync protocol 1 and this engine ${SYNC_PROTOCOL_VERSION}: apply the migration`);
    expect(result.offline).toBe(false);
    expect(calls).toBe(0);
    expect(device.store.pendingUploads()).toBe(1);
  });

  it('a local delete is not uploaded until confirmed, and then only as a tombstone', async () => {
    await installCloudSchema([plugin]);
    const tenant = uniqueTenant('deletes');
    const device = await openDevice({ name: 'till', tenant, plugins: [plugin] });
    const other = await openDevice({ name: 'office', tenant, plugins: [plugin] });
    const scoped = device.store.forPlugin('items');
    const { id } = scoped.insert(items, { label: 'doomed', qty: 1 });
    await device.engine.syncNow();

    scoped.delete(items, String(id));
    expect(device.engine.listPendingDeletes()).toMatchObject([{ table: items, id }]);
    await device.engine.syncNow();
    expect((await cloudRows(items, tenant))[0]?.deleted).toBe(false);

    expect(device.engine.confirmDeletes('all')).toBe(1);
    await device.engine.syncNow();
    const [row] = await cloudRows(items, tenant);
    expect(row).toMatchObject({ id, deleted: true, label: 'doomed' });

    await other.engine.syncNow();
    expect(other.store.forPlugin('items').get(items, String(id))).toBeUndefined();
    expect(other.store.forPlugin('items').get(items, String(id), { includeDeleted: true })?.deleted).toBe(true);
  });
});
