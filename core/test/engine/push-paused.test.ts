import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definePlugin } from '../../src/index.js';
import { asSuperuser, backOfficeClock, restWrite } from '../quarantine/hostile-cloud.js';
import { cloudRows, installCloudSchema, localRows, openDevice, uniqueSuffix, uniqueTenant } from '../../src/testing/index.js';

const suffix = uniqueSuffix();
const table = `gated_${suffix}`;
const gate = `test_gate_${suffix}`;
const plugin = definePlugin({
  name: 'gated',
  version: '1.0.0',
  tables: [{ name: table, columns: { label: { type: 'text' } }, strategy: 'LastWriteWins' }],
});
const MESSAGE = 'the licence of this till has expired';

/** Registers a push gate that refuses this file's table only: other test files share the cloud. */
async function closeGate(): Promise<void> {
  await asSuperuser(`
    create or replace function public.${gate}(p_table text) returns void language plpgsql as $$
    begin
      if p_table = '${table}' then
        raise exception '${MESSAGE}' using errcode = 'EQ402';
      end if;
    end $$;
    insert into equinox.push_gates (name, function_name) values ('test.${suffix}', 'public.${gate}')
      on conflict (name) do update set function_name = excluded.function_name;`);
}

async function openGate(): Promise<void> {
  await asSuperuser(`delete from equinox.push_gates where name = 'test.${suffix}'; drop function if exists public.${gate}(text);`);
}

beforeAll(async () => {
  await installCloudSchema([plugin]);
});
afterAll(openGate);

describe('uploads paused by a cloud push gate (EQ402)', () => {
  it('pauses the uploads without marking a row or counting an attempt, pulls on, and uploads everything once the gate opens', async () => {
    const tenant = uniqueTenant('gated');
    const device = await openDevice({ name: 'till', tenant, plugins: [plugin], sync: { batchSize: 2 } });
    const api = device.store.forPlugin('gated');
    for (const label of ['one', 'two', 'three']) api.insert(table, { id: `mine-${label}`, label });
    await closeGate();

    const paused = await device.engine.syncNow();
    expect(paused).toMatchObject({ error: `uploads paused: ${MESSAGE}`, uploaded: 0, rejected: 0 });
    const status = device.engine.status;
    expect(status).toMatchObject({ lastError: `uploads paused: ${MESSAGE}`, uploadsPaused: `uploads paused: ${MESSAGE}`, failed: [], pendingUploads: 3 });
    expect(device.store.readOutboxBatch().map((entry) => [entry.id, entry.attempts, entry.lastError])).toEqual([
      ['mine-one', 0, undefined],
      ['mine-two', 0, undefined],
      ['mine-three', 0, undefined],
    ]);
    expect(await cloudRows(table, tenant)).toEqual([]);

    // The pull still runs: a row the back office writes arrives while uploads wait.
    await restWrite(table, [JSON.stringify({ id: 'from-office', tenant_id: tenant, updated_at: backOfficeClock(), deleted: false, label: 'office' })]);
    let pulled = false;
    for (let i = 0; i < 100 && !pulled; i++) {
      const run = await device.engine.syncNow();
      expect(run.error).toBe(`uploads paused: ${MESSAGE}`);
      pulled = localRows(device, table).some((row) => row.id === 'from-office');
    }
    expect(pulled).toBe(true);
    expect(device.store.pendingUploads()).toBe(3);

    await openGate();
    const resumed = await device.engine.syncNow();
    expect(resumed).toMatchObject({ error: null, uploaded: 3, rejected: 0 });
    expect((await cloudRows(table, tenant)).map((row) => row.id)).toEqual(['from-office', 'mine-one', 'mine-three', 'mine-two']);
    expect(device.engine.status).toMatchObject({ uploadsPaused: null, lastError: null, pendingUploads: 0 });
  });
});
