import { Container } from 'inversify';
import { beforeAll, describe, expect, it } from 'vitest';
import { coreModule, definePlugin, LocalStore, RemoteStore, SyncEngine, SyncHooks, SyncOptions, DEFAULT_SYNC_OPTIONS, type Row } from '../src/index.js';
import { newRow } from './protocol-kit.js';
import { deviceRemote, installCloudSchema, openStore, tempDbPath, uniqueName, uniqueTenant } from '../src/testing/index.js';

// A plugin's afterPull hook hears every pulled page applied, and nothing of a sync that
// found nothing new: an empty page that leaves the cursor where it was is not applied,
// written or told.

const notes = uniqueName('hook_notes');
const tags = uniqueName('hook_tags');
const plugin = definePlugin({
  name: 'pull-hooks-test',
  version: '1.0.0',
  tables: [
    { name: notes, columns: { body: { type: 'text' } }, strategy: 'LastWriteWins' },
    { name: tags, columns: { label: { type: 'text' } }, strategy: 'LastWriteWins' },
  ],
});

async function engineWithHook(tenant: string, heard: string[]): Promise<SyncEngine> {
  const container = new Container();
  container.bind(LocalStore).toConstantValue(openStore({ path: tempDbPath('hooks'), plugins: [plugin], tenantId: tenant, deviceId: 'till-1' }));
  container.bind(RemoteStore).toConstantValue(await deviceRemote(tenant, 'till-1'));
  container.bind(SyncOptions).toConstantValue({ ...DEFAULT_SYNC_OPTIONS, healthTimeoutMs: 2_000 });
  await container.load(coreModule);
  container.get<SyncHooks>(SyncHooks).register({ afterPull: (table: string, rows: readonly Row[]) => void heard.push(`${table}: ${rows.length}`) });
  return container.get(SyncEngine);
}

describe('afterPull', () => {
  beforeAll(() => installCloudSchema([plugin]));

  it('is told each pulled page applied, and nothing of a sync that found nothing new', async () => {
    const tenant = uniqueTenant('hooks');
    const remote = await deviceRemote(tenant, 'till-2');
    await remote.push(notes, [newRow(tenant, { body: 'a' }), newRow(tenant, { body: 'b' })].map((row) => ({ row, base_version: null })));
    const heard: string[] = [];
    const engine = await engineWithHook(tenant, heard);
    try {
      expect(await engine.syncNow()).toMatchObject({ error: null, downloaded: 2 });
      // A first pull of an empty table still sets its cursor: that page is applied and told.
      expect(heard).toEqual([`${notes}: 2`, `${tags}: 0`]);
      heard.length = 0;
      expect(await engine.syncNow()).toMatchObject({ error: null, downloaded: 0 });
      expect(heard).toEqual([]);
      await remote.push(tags, [newRow(tenant, { label: 'x' })].map((row) => ({ row, base_version: null })));
      expect(await engine.syncNow()).toMatchObject({ error: null, downloaded: 1 });
      expect(heard).toEqual([`${tags}: 1`]);
    } finally {
      await engine.dispose();
    }
  });
});
