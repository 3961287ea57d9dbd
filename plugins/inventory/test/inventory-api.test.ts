import { openPluginDevice, type PluginDevice, type PluginDeviceOptions } from '@equinox-sync/core/testing';
import { describe, expect, it } from 'vitest';
import { activate, InventoryInputError, inventoryPlugin, MasterAccessError, MAX_MOVEMENT_DELTA, productId, type InventoryApi } from '../src/index.js';

/** The inventory on a device of its own, closed when the test ends. */
function device(options: PluginDeviceOptions = {}): PluginDevice<InventoryApi> {
  return openPluginDevice(inventoryPlugin, activate, options);
}

describe('products', () => {
  it('creates a product under an id derived from tenant and SKU, then changes only what was given', () => {
    const { api, store } = device({ tenant: 'store-1' });
    const created = api.upsertProduct({ sku: ' COFFEE-1KG ', name: 'Coffee', priceCents: 1450, taxRateBp: 1000 });
    expect(created).toEqual({ id: productId('store-1', 'COFFEE-1KG'), sku: 'COFFEE-1KG', name: 'Coffee', priceCents: 1450, taxRateBp: 1000, active: true });

    const renamed = api.upsertProduct({ sku: 'COFFEE-1KG', name: 'Coffee beans 1 kg', priceCents: 1450 });
    expect(renamed).toEqual({ ...created, name: 'Coffee beans 1 kg' });
    expect(api.product('COFFEE-1KG')).toEqual(renamed);
    expect(store.pendingUploads()).toBe(1); // one row, its edits coalesced
  });

  it('does not rewrite an unchanged product, so nothing is uploaded again', () => {
    const { api, store } = device();
    const created = api.upsertProduct({ sku: 'TEA', name: 'Tea', priceCents: 690 });
    const before = store.forPlugin('@equinox-sync/plugin-inventory').get('products', created.id)?.updated_at;
    api.upsertProduct({ sku: 'TEA', name: 'Tea', priceCents: 690, active: true });
    expect(store.forPlugin('@equinox-sync/plugin-inventory').get('products', created.id)?.updated_at).toBe(before);
  });

  it('gives two devices of a tenant the same id for one SKU, and other tenants another', () => {
    expect(device({ tenant: 'store-1', device: 'a' }).api.upsertProduct({ sku: 'X', name: 'X', priceCents: 1 }).id).toBe(
      device({ tenant: 'store-1', device: 'b' }).api.upsertProduct({ sku: 'X', name: 'X', priceCents: 2 }).id,
    );
    expect(productId('store-1', 'X')).not.toBe(productId('store-2', 'X'));
    expect(productId('store-1', 'X')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('brings a deleted product back when its SKU is upserted again', () => {
    const { api, store } = device();
    const { id } = api.upsertProduct({ sku: 'GONE', name: 'Gone', priceCents: 100 });
    store.forPlugin('@equinox-sync/plugin-inventory').delete('products', id);
    expect(api.product('GONE')).toBeUndefined();
    expect(api.upsertProduct({ sku: 'GONE', name: 'Back', priceCents: 120 })).toMatchObject({ id, name: 'Back', priceCents: 120, active: true });
    expect(store.listPendingDeletes()).toEqual([]);
  });

  it('refuses bad input with the field and the value, writing nothing', () => {
    const { api, store } = device();
    expect(() => api.upsertProduct({ sku: '  ', name: 'x', priceCents: 1 })).toThrow(new InventoryInputError('sku must be a non-empty text, got "  "'));
    expect(() => api.upsertProduct({ sku: 'A', name: '', priceCents: 1 })).toThrow(/name must be a non-empty text/);
    expect(() => api.upsertProduct({ sku: 'A', name: 'A', priceCents: -1 })).toThrow(/priceCents must be a whole number from 0/);
    expect(() => api.upsertProduct({ sku: 'A', name: 'A', priceCents: 1.5 })).toThrow(/priceCents must be a whole number/);
    expect(() => api.upsertProduct({ sku: 'A', name: 'A', priceCents: 1, taxRateBp: 10_001 })).toThrow(/taxRateBp must be a whole number from 0 to 10000/);
    expect(store.pendingUploads()).toBe(0);
  });
});

describe('stock movements and levels', () => {
  it('records signed movements and derives the levels from them', () => {
    const { api } = device();
    const coffee = api.upsertProduct({ sku: 'COFFEE', name: 'Coffee', priceCents: 1450 });
    api.upsertProduct({ sku: 'TEA', name: 'Tea', priceCents: 690 });
    const purchase = api.adjust({ sku: 'COFFEE', delta: 10, reason: 'purchase', location: 'back-room' });
    expect(purchase).toMatchObject({ productId: coffee.id, sku: 'COFFEE', delta: 10, reason: 'purchase', location: 'back-room' });
    expect(new Date(purchase.occurredAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
    api.adjust({ sku: 'COFFEE', delta: -3, reason: 'sale' });
    api.adjust({ sku: 'TEA', delta: -2, reason: 'sale', occurredAt: '2026-01-02T03:04:05Z' });
    expect(api.levels()).toEqual([
      { sku: 'COFFEE', quantity: 7 },
      { sku: 'TEA', quantity: -2 },
    ]);
    expect(api.level('COFFEE')).toBe(7);
    expect(api.level('NOTHING')).toBe(0);
  });

  it('refuses a zero, fractional or out-of-range delta, an unknown reason and an unknown SKU', () => {
    const { api, store } = device();
    api.upsertProduct({ sku: 'A', name: 'A', priceCents: 1 });
    const pending = store.pendingUploads();
    expect(() => api.adjust({ sku: 'A', delta: 0, reason: 'sale' })).toThrow(new InventoryInputError('delta must be a non-zero integer, got 0'));
    expect(() => api.adjust({ sku: 'A', delta: 1.5, reason: 'sale' })).toThrow(/delta must be a non-zero integer/);
    expect(() => api.adjust({ sku: 'A', delta: Number.MAX_SAFE_INTEGER, reason: 'purchase' })).toThrow(
      new InventoryInputError(`delta must be within ±${MAX_MOVEMENT_DELTA} per movement, got ${Number.MAX_SAFE_INTEGER}`),
    );
    expect(() => api.adjust({ sku: 'A', delta: -MAX_MOVEMENT_DELTA - 1, reason: 'sale' })).toThrow(/delta must be within/);
    expect(() => api.adjust({ sku: 'A', delta: 1, reason: 'theft' as never })).toThrow('reason must be one of sale, purchase, adjustment, transfer, count, got "theft"');
    expect(() => api.adjust({ sku: 'B', delta: 1, reason: 'sale' })).toThrow('no product with sku "B"');
    expect(store.pendingUploads()).toBe(pending);
    expect(api.levels()).toEqual([]);
  });

  it('cannot update or delete a movement locally, through the store or with plain SQL, before or after upload', () => {
    const { api, store } = device();
    api.upsertProduct({ sku: 'A', name: 'A', priceCents: 1 });
    const { id } = api.adjust({ sku: 'A', delta: 4, reason: 'purchase' });
    const scoped = store.forPlugin('@equinox-sync/plugin-inventory');
    expect(() => scoped.update('stock_movements', id, { delta: 40 })).toThrow(`append-only table "stock_movements": a row cannot be updated (row ${id})`);
    expect(() => scoped.delete('stock_movements', id)).toThrow(/cannot be deleted/);
    expect(() => store.database.prepare('UPDATE stock_movements SET delta = 40 WHERE id = ?').run(id)).toThrow(/cannot be updated/);
    expect(() => store.database.prepare('DELETE FROM stock_movements WHERE id = ?').run(id)).toThrow(/cannot be deleted/);
    expect(api.levels()).toEqual([{ sku: 'A', quantity: 4 }]);
  });

  it('keeps levels a derived view: not synced, not writable', () => {
    const { api, store } = device();
    api.upsertProduct({ sku: 'A', name: 'A', priceCents: 1 });
    api.adjust({ sku: 'A', delta: 4, reason: 'purchase' });
    expect(store.database.prepare("SELECT type FROM sqlite_schema WHERE name = 'stock_levels'").pluck().get()).toBe('view');
    expect(store.tableDefinitions().map((table) => table.name)).not.toContain('stock_levels');
    expect(() => store.database.prepare("UPDATE stock_levels SET quantity = 100 WHERE sku = 'A'").run()).toThrow(/cannot modify stock_levels because it is a view/);
  });

  it('holds back from upload a movement written with plain SQL that breaks the rules, with the reason', () => {
    const { hooks } = device();
    const [hook] = hooks.hooksFor('stock_movements');
    expect(hook?.validate?.('stock_movements', { sku: 'A', delta: 0, reason: 'sale' })).toBe('delta must be a non-zero integer, got 0');
    expect(hook?.validate?.('stock_movements', { sku: 'A', delta: 2, reason: 'gift' })).toMatch(/^reason must be one of/);
    expect(hook?.validate?.('stock_movements', { sku: 'A', delta: -2, reason: 'sale' })).toBeUndefined();
    expect(hooks.hooksFor('products')).toEqual([]);
  });
});

describe('master inventory on the device', () => {
  const answer = [
    { sku: 'COFFEE', quantity: 24, tenants: 2 },
    { sku: 'TEA', quantity: 19, tenants: 1 },
  ];

  it('is refused to a store device with a clear error, without calling the cloud', async () => {
    const { api, rpcCalls } = device({ role: 'store', rpc: () => Promise.resolve(answer) });
    await expect(api.master()).rejects.toThrow(MasterAccessError);
    await expect(api.master()).rejects.toThrow(/for head office only: this device's role is "store" \(initialise a head-office device with --role master\)/);
    expect(rpcCalls).toEqual([]);
    expect(api.masterRefreshedAt()).toBeNull();
  });

  it('is pulled from the cloud into a local read-only copy on a master device', async () => {
    let cloudAnswer: unknown = answer;
    const { api, store, rpcCalls } = device({ role: 'master', rpc: () => Promise.resolve(cloudAnswer) });
    expect(await api.master()).toEqual(answer);
    expect(rpcCalls).toEqual(['inventory_master']);
    expect(api.masterRefreshedAt()).toBeGreaterThan(Date.now() - 60_000);

    cloudAnswer = [{ sku: 'TEA', quantity: 18, tenants: 1 }];
    expect(await api.master()).toEqual(cloudAnswer);
    expect(await api.master({ refresh: false })).toEqual(cloudAnswer);
    expect(rpcCalls).toHaveLength(2);

    const db = store.database;
    expect(() => db.prepare("INSERT INTO master_inventory VALUES ('X', 1, 1)").run()).toThrow(/master_inventory is read-only/);
    expect(() => db.prepare('UPDATE master_inventory SET quantity = 0').run()).toThrow(/read-only/);
    expect(() => db.prepare('DELETE FROM master_inventory').run()).toThrow(/read-only/);
    expect(store.tableDefinitions().map((table) => table.name)).not.toContain('master_inventory');
  });

  it('keeps the last copy when a refresh fails or the cloud answers something else', async () => {
    let fail: Error | undefined;
    let cloudAnswer: unknown = answer;
    const { api } = device({ role: 'master', rpc: () => (fail ? Promise.reject(fail) : Promise.resolve(cloudAnswer)) });
    await api.master();
    fail = new Error('offline: the cloud did not answer');
    await expect(api.master()).rejects.toThrow('could not refresh the master inventory from the cloud: offline: the cloud did not answer');
    fail = undefined;
    cloudAnswer = { message: 'not a list' };
    await expect(api.master()).rejects.toThrow(/not a list/);
    expect(await api.master({ refresh: false })).toEqual(answer);
  });
});
