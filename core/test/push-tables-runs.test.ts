import { beforeAll, describe, expect, it } from 'vitest';
import { definePlugin } from '../src/index.js';
import { deviceRemote, installCloudSchema, pullAll, uniqueName, uniqueTenant } from '../src/testing/index.js';
import { device, notes, plugin, tags } from './pull-many-kit.js';

/** A plugin whose device has one table more than the cloud's schema (installed from `installed`). */
const known = uniqueName('together_known');
const unknownToCloud = uniqueName('together_unknown');
const table = (name: string) => ({ name, columns: { body: { type: 'text' as const } }, strategy: 'LastWriteWins' as const });
const installed = definePlugin({ name: 'together-refused', version: '1.0.0', tables: [table(known)] });
const widened = definePlugin({ name: 'together-refused', version: '1.0.0', tables: [table(known), table(unknownToCloud)] });

// A run whose queue holds rows of several tables sends them in one request
// (eq_push_tables), counted through the device's own fetch.

async function cloudIds(tenant: string, table: string): Promise<string[]> {
  const { rows } = await pullAll(await deviceRemote(tenant, 'till-9'), table);
  return rows.map((row) => String(row.id)).sort();
}

describe('a run with rows of several tables to send', () => {
  beforeAll(() => installCloudSchema([plugin, installed]));

  it('sends them in one request, then pulls in one: a sale of two tables is two requests', async () => {
    const tenant = uniqueTenant('together-run');
    const till = await device('till-1', tenant);
    const scoped = till.store.forPlugin('pull-many-test');
    const first = [String(scoped.insert(notes, { body: 'n1' }).id), String(scoped.insert(tags, { label: 't1' }).id)];
    expect(await till.engine.syncNow()).toMatchObject({ error: null, uploaded: 2 });
    expect(till.calls.sent).toEqual(['POST eq_health', 'POST eq_push_tables', 'GET eq_pull_many']);

    till.calls.sent.length = 0;
    const second = [String(scoped.insert(notes, { body: 'n2' }).id), String(scoped.insert(tags, { label: 't2' }).id)];
    expect(await till.engine.syncNow()).toMatchObject({ error: null, uploaded: 2, downloaded: 0 });
    expect(till.calls.sent).toEqual(['POST eq_push_tables', 'GET eq_pull_many']);
    expect(await cloudIds(tenant, notes)).toEqual([first[0]!, second[0]!].sort());
    expect(await cloudIds(tenant, tags)).toEqual([first[1]!, second[1]!].sort());
    // Their echoes came back with them: the pull did not bring the till's own rows again.
    expect(till.engine.status).toMatchObject({ pendingUploads: 0, failed: [] });
  });

  it("charges one table's refused push to its own rows only; the other table's rows in the same request go up", async () => {
    const tenant = uniqueTenant('together-refused');
    const till = await device('till-1', tenant, { plugins: [widened] });
    const scoped = till.store.forPlugin('together-refused');
    const note = String(scoped.insert(known, { body: 'goes up' }).id);
    const stray = String(scoped.insert(unknownToCloud, { body: 'the cloud has no such table' }).id);
    expect(await till.engine.syncNow()).toMatchObject({ uploaded: 1, rejected: 1 });
    expect(till.calls.sent.filter((call) => call.includes('eq_push'))).toEqual(['POST eq_push_tables']);
    expect(await cloudIds(tenant, known)).toEqual([note]);
    expect(till.engine.status.failed).toEqual([expect.objectContaining({ table: unknownToCloud, id: stray, reason: expect.stringContaining('is not a synced table') })]);
  });

  it('sends them table by table to a cloud without eq_push_tables, at once and for the hour after', async () => {
    const tenant = uniqueTenant('together-older');
    const till = await device('till-1', tenant);
    till.calls.withoutPushTables = true;
    const scoped = till.store.forPlugin('pull-many-test');
    scoped.insert(notes, { body: 'n1' });
    scoped.insert(tags, { label: 't1' });
    expect(await till.engine.syncNow()).toMatchObject({ error: null, uploaded: 2, rejected: 0 });
    expect(till.calls.sent).toEqual(['POST eq_health', 'POST eq_push_tables', 'POST eq_push', 'POST eq_push', 'GET eq_pull_many']);

    till.calls.sent.length = 0;
    scoped.insert(notes, { body: 'n2' });
    scoped.insert(tags, { label: 't2' });
    expect(await till.engine.syncNow()).toMatchObject({ error: null, uploaded: 2 });
    expect(till.calls.sent).toEqual(['POST eq_push', 'POST eq_push', 'GET eq_pull_many']);
    expect(await cloudIds(tenant, notes)).toHaveLength(2);
    expect(await cloudIds(tenant, tags)).toHaveLength(2);
  });
});
