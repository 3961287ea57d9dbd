import { describe, expect, it } from 'vitest';
import { definePlugin, type ConflictStrategy } from '../../src/index.js';
import { cloudRows, installCloudSchema, openDevice, uniqueSuffix, uniqueTenant } from '../../src/testing/index.js';

const suffix = uniqueSuffix();
const table = (strategy: ConflictStrategy): string => `${strategy.toLowerCase()}_${suffix}`;
const plugin = definePlugin({
  name: 'strategies',
  version: '1.0.0',
  tables: (['LocalWins', 'RemoteWins', 'Manual'] as const).map((strategy) => ({
    name: table(strategy),
    columns: { body: { type: 'text' as const } },
    strategy,
  })),
});

/** Two devices that both edit one row while offline; `first` syncs its edit first, then `second` syncs. */
async function concurrentEdit(strategy: ConflictStrategy) {
  await installCloudSchema([plugin]);
  const tenant = uniqueTenant(strategy);
  const first = await openDevice({ name: 'first', tenant, plugins: [plugin] });
  const second = await openDevice({ name: 'second', tenant, plugins: [plugin] });
  const name = table(strategy);
  const { id } = first.store.forPlugin('strategies').insert(name, { body: 'original' });
  await first.engine.syncNow();
  await second.engine.syncNow();
  first.store.forPlugin('strategies').update(name, String(id), { body: 'first edit' });
  second.store.forPlugin('strategies').update(name, String(id), { body: 'second edit' });
  await first.engine.syncNow();
  const secondRun = await second.engine.syncNow();
  return { first, second, id: String(id), name, tenant, secondRun };
}

describe('conflict strategies, end to end', () => {
  it('LocalWins: the device that syncs its edit keeps it and it reaches the cloud', async () => {
    const { first, second, id, name, tenant } = await concurrentEdit('LocalWins');
    expect((await cloudRows(name, tenant))[0]?.body).toBe('second edit');
    await first.engine.syncNow();
    expect(first.store.forPlugin('strategies').get(name, id)?.body).toBe('second edit');
    expect(second.store.rowState(name, id)).toBe('Synced');
  });

  it('RemoteWins: the cloud version replaces the later local edit', async () => {
    const { second, id, name, tenant, secondRun } = await concurrentEdit('RemoteWins');
    expect(secondRun.conflicts).toBe(1);
    expect(second.store.forPlugin('strategies').get(name, id)?.body).toBe('first edit');
    expect((await cloudRows(name, tenant))[0]?.body).toBe('first edit');
    expect(second.store.pendingUploads()).toBe(0);
  });

  it('Manual: both versions wait in the inbox, the rest of the run goes on, and the choice is uploaded', async () => {
    const { first, second, id, name, tenant, secondRun } = await concurrentEdit('Manual');
    // The upload met the conflict and the same run's pull brought that cloud version back: one conflict, counted once.
    expect(secondRun.conflicts).toBe(1);
    const other = second.store.forPlugin('strategies').insert(name, { body: 'unrelated' });
    await second.engine.syncNow();
    expect(second.store.rowState(name, String(other.id))).toBe('Synced');

    const inbox = second.engine.listConflicts();
    expect(inbox).toHaveLength(1);
    expect(inbox[0]).toMatchObject({ table: name, id, local: { body: 'second edit' }, remote: { body: 'first edit' } });
    expect(second.engine.status.conflicts).toBe(1);
    expect(second.store.rowState(name, id)).toBe('Conflict');
    expect((await cloudRows(name, tenant)).find((row) => row.id === id)?.body).toBe('first edit');

    second.engine.resolveConflicts([{ id, pick: 'merged', row: { body: 'first and second edit' } }]);
    expect(second.engine.listConflicts()).toEqual([]);
    await second.engine.syncNow();
    expect((await cloudRows(name, tenant)).find((row) => row.id === id)?.body).toBe('first and second edit');
    await first.engine.syncNow();
    expect(first.store.forPlugin('strategies').get(name, id)?.body).toBe('first and second edit');
    expect(second.store.rowState(name, id)).toBe('Synced');
  });

  it('Manual: picking the local version uploads it over the cloud one', async () => {
    const { second, id, name, tenant } = await concurrentEdit('Manual');
    second.engine.resolveConflicts([{ id, pick: 'local' }]);
    await second.engine.syncNow();
    expect((await cloudRows(name, tenant))[0]?.body).toBe('second edit');
    expect(second.store.pendingUploads()).toBe(0);
  });
});
