import { disposeAfterTest, installCloudSchema, syncUntil, tempDir, uniqueTenant } from '@equinox-sync/core/testing';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { ClientsApi, clientsPlugin } from '../../examples/plugin-clients/index.js';
import { createHost, type EquinoxHost } from '../src/index.js';
import { deviceConfig, EXAMPLE_PLUGIN_DIR, memoryLogger, offlineConfig } from './host-kit.js';

const cloud = inject('cloud');
const CLIENTS = '@acme/equinox-clients';

describe('the example clients plugin, loaded by path from config', () => {
  async function device(tenant: string, name: string, dir: string): Promise<EquinoxHost> {
    return disposeAfterTest(await createHost({ config: await deviceConfig(cloud, { tenant, device: name, dir, plugins: [EXAMPLE_PLUGIN_DIR] }), logger: memoryLogger() }));
  }

  beforeAll(() => installCloudSchema([clientsPlugin]));

  it('syncs between two devices, and a concurrent edit lands in the conflict inbox', async () => {
    const tenant = uniqueTenant('clients');
    const dir = tempDir('clients');
    const [tillA, tillB] = [await device(tenant, 'till-a', dir), await device(tenant, 'till-b', dir)];
    const [clientsA, clientsB] = [tillA.store(CLIENTS), tillB.store(CLIENTS)];

    const { id } = clientsA.insert('clients', { name: 'Ada Lovelace', tax_id: 'B12345678', email: 'ada@example.com', phone: '600000001' });
    expect(await tillA.syncNow()).toMatchObject({ uploaded: 1, error: null });
    await syncUntil(tillB, () => clientsB.get('clients', id as string) !== undefined);
    expect(clientsB.get('clients', id as string)).toMatchObject({ name: 'Ada Lovelace', tax_id: 'B12345678' });

    // Both devices edit the same client before either syncs.
    clientsA.update('clients', id as string, { phone: '600000002' });
    clientsB.update('clients', id as string, { email: 'ada@lovelace.org' });
    expect(await tillA.syncNow()).toMatchObject({ uploaded: 1, conflicts: 0, error: null });
    await syncUntil(tillB, () => tillB.conflicts.list().length > 0);

    const [conflict] = tillB.conflicts.list();
    expect(conflict).toMatchObject({
      table: 'clients',
      id,
      local: { phone: '600000001', email: 'ada@lovelace.org' },
      remote: { phone: '600000002', email: 'ada@example.com' },
    });
    expect(tillB.status.conflicts).toBe(1);

    // A merged row of the wrong shape is refused, naming plugin, table, row and column; the conflict stays.
    expect(() => tillB.conflicts.resolve([{ id: id as string, pick: 'merged', row: { phone: 600000002 } }])).toThrow(
      `plugin "${CLIENTS}" table "clients" row "${String(id)}" column "phone": expects a string, got number`,
    );
    expect(tillB.conflicts.list()).toHaveLength(1);

    // A person merges both edits on B (the declared columns); the merged row reaches A.
    const merged = { name: 'Ada Lovelace', tax_id: 'B12345678', email: 'ada@lovelace.org', phone: '600000002' };
    expect(tillB.conflicts.resolve([{ id: id as string, pick: 'merged', row: merged }])).toBe(1);
    expect(tillB.conflicts.list()).toEqual([]);
    expect(await tillB.syncNow()).toMatchObject({ uploaded: 1, error: null });
    await syncUntil(tillA, () => clientsA.get('clients', id as string)?.email === 'ada@lovelace.org');
    expect(clientsA.get('clients', id as string)).toMatchObject({ phone: '600000002', email: 'ada@lovelace.org' });
  });

  it('holds back a client whose email the plugin finds invalid, and uploads it once corrected', async () => {
    const till = await device(uniqueTenant('clients-bad'), 'till-a', tempDir('clients'));
    const clients = till.store(CLIENTS);
    const { id } = clients.insert('clients', { name: 'Grace', email: 'grace-at-example.com' });
    expect(await till.syncNow()).toMatchObject({ uploaded: 0, rejected: 1 });
    expect(till.status.failed).toEqual([expect.objectContaining({ table: 'clients', id, reason: 'email "grace-at-example.com" is not valid' })]);
    clients.update('clients', id as string, { email: 'grace@example.com' });
    expect(await till.syncNow()).toMatchObject({ uploaded: 1, rejected: 0, error: null });
    expect(till.status.failed).toEqual([]);
  });

  it('offers its API through the typed token: add and list, and refuses an email without "@"', async () => {
    const host = disposeAfterTest(await createHost({ config: offlineConfig(tempDir('clients-api'), [EXAMPLE_PLUGIN_DIR]), logger: memoryLogger() }));
    const clients = host.api(ClientsApi);
    const grace = clients.add({ name: 'Grace', email: 'grace@example.com' });
    const ada = clients.add({ name: 'Ada', tax_id: 'B1' });
    expect(ada).toEqual({ id: expect.any(String), name: 'Ada', tax_id: 'B1', email: null, phone: null });
    expect(clients.list()).toEqual([ada, grace]);
    expect(() => clients.add({ name: 'Bob', email: 'bob' })).toThrow('email "bob" is not valid');
    expect(host.store(CLIENTS).query('clients')).toHaveLength(2);
  });

  it('updates and removes through its API: update returns the row as stored, remove holds the delete', async () => {
    const host = disposeAfterTest(await createHost({ config: offlineConfig(tempDir('clients-api'), [EXAMPLE_PLUGIN_DIR]), logger: memoryLogger() }));
    const clients = host.api(ClientsApi);
    const ada = clients.add({ name: 'Ada', email: 'ada@example.com', phone: '600000001' });
    expect(clients.update(ada.id, { phone: '600000002', tax_id: 'B1' })).toEqual({ ...ada, phone: '600000002', tax_id: 'B1' });
    expect(clients.update(ada.id, { email: null })).toEqual({ ...ada, phone: '600000002', tax_id: 'B1', email: null });
    expect(() => clients.update(ada.id, { email: 'ada' })).toThrow('email "ada" is not valid');
    expect(() => clients.update('no-such-id', { name: 'Bob' })).toThrow('no client no-such-id on this device');
    expect(clients.list()).toEqual([{ ...ada, phone: '600000002', tax_id: 'B1', email: null }]);

    expect(clients.remove(ada.id)).toEqual({ ...ada, phone: '600000002', tax_id: 'B1', email: null });
    expect(clients.list()).toEqual([]);
    expect(host.deletes.list()).toEqual([expect.objectContaining({ table: 'clients', id: ada.id })]);
    expect(() => clients.remove(ada.id)).toThrow(`no client ${ada.id} on this device`);
    expect(() => clients.update(ada.id, { name: 'Ada' })).toThrow(`no client ${ada.id} on this device`);
  });

  it('keeps a deleted client until the delete is confirmed', async () => {
    const till = await device(uniqueTenant('clients-del'), 'till-a', tempDir('clients'));
    const clients = till.store(CLIENTS);
    const { id } = clients.insert('clients', { name: 'Alan' });
    await till.syncNow();
    clients.delete('clients', id as string);
    expect(till.deletes.list()).toEqual([expect.objectContaining({ table: 'clients', id })]);
    expect(await till.syncNow()).toMatchObject({ uploaded: 0 });
    expect(till.deletes.confirm('all')).toBe(1);
    expect(await till.syncNow()).toMatchObject({ uploaded: 1, error: null });
    expect(till.deletes.list()).toEqual([]);
  });
});
