import { cloudRest, installCloudSchema, sleep, syncUntil, tempDir, uniqueTenant } from '@equinox-sync/core/testing';
import { startFaultProxy, type FaultProxy } from '@equinox-sync/local-cloud/testing';
import { InventoryApi } from '../src/index.js';
import { afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { createHost, type EquinoxHost } from '@equinox-sync/host';
import { BUILTIN_PLUGINS, deviceConfig, memoryLogger } from '../../../host/test/host-kit.js';

const cloud = inject('cloud');
const INVENTORY = '@equinox-sync/plugin-inventory';

interface Till {
  readonly host: EquinoxHost;
  readonly inventory: InventoryApi;
  /** The till's network cable: `refuse` unplugs it, `pass` plugs it back. */
  readonly cable: FaultProxy;
}

const opened: Till[] = [];

/** A device of `tenant` with the built-in plugins, reaching the cloud through its own fault proxy. */
async function till(tenant: string, name: string): Promise<Till> {
  const cable = await startFaultProxy(new URL(cloud.url));
  const config = await deviceConfig(cloud, { tenant, device: name, dir: tempDir('inventory-sync'), builtins: true });
  const host = await createHost({ config: { ...config, supabase: { ...config.supabase, url: cable.url } }, logger: memoryLogger() });
  const made = { host, inventory: host.api(InventoryApi), cable };
  opened.push(made);
  return made;
}

async function syncOk(device: Till): Promise<void> {
  const result = await device.host.syncNow();
  expect(result).toMatchObject({ error: null, rejected: 0 });
}

/** What the cloud holds for the tenant, read over REST with the tenant's own token. */
async function tenantReads(token: string, path: string): Promise<unknown> {
  const { status, body } = await cloudRest('GET', path, { token });
  expect(status).toBe(200);
  return body;
}

function tokenOf(device: Till): string {
  return String(device.host.config.supabase.accessToken);
}

afterEach(async () => {
  for (const device of opened.splice(0)) {
    await device.host.dispose();
    await device.cable.close();
  }
});

describe('inventory across devices of one tenant', () => {
  beforeAll(async () => {
    await installCloudSchema(BUILTIN_PLUGINS);
  });

  it('counts two tills selling the same product offline: 10 - 3 - 2 = 5 on both and in the cloud', async () => {
    const tenant = uniqueTenant('inv-two-tills');
    const [till1, till2] = [await till(tenant, 'till-1'), await till(tenant, 'till-2')];
    till1.inventory.upsertProduct({ sku: 'COFFEE-1KG', name: 'Coffee beans 1 kg', priceCents: 1450, taxRateBp: 1000 });
    till1.inventory.adjust({ sku: 'COFFEE-1KG', delta: 10, reason: 'purchase' });
    await syncOk(till1);
    await syncUntil(till2.host, () => till2.inventory.level('COFFEE-1KG') === 10);
    expect(till2.inventory.product('COFFEE-1KG')?.name).toBe('Coffee beans 1 kg');

    await till1.cable.setMode({ kind: 'refuse' });
    await till2.cable.setMode({ kind: 'refuse' });
    till1.inventory.adjust({ sku: 'COFFEE-1KG', delta: -3, reason: 'sale' });
    till2.inventory.adjust({ sku: 'COFFEE-1KG', delta: -2, reason: 'sale' });
    for (const device of [till1, till2]) {
      expect(await device.host.syncNow()).toMatchObject({ offline: true, uploaded: 0 });
      expect(device.host.status.pendingUploads).toBe(1);
    }
    expect([till1.inventory.levels(), till2.inventory.levels()]).toEqual([[{ sku: 'COFFEE-1KG', quantity: 7 }], [{ sku: 'COFFEE-1KG', quantity: 8 }]]);

    await till1.cable.setMode({ kind: 'pass' });
    await till2.cable.setMode({ kind: 'pass' });
    await syncOk(till1);
    await syncOk(till2);
    await syncUntil(till1.host, () => till1.inventory.level('COFFEE-1KG') === 5);
    await syncUntil(till2.host, () => till2.inventory.level('COFFEE-1KG') === 5);
    expect(till1.inventory.levels()).toEqual([{ sku: 'COFFEE-1KG', quantity: 5 }]);
    expect(till2.inventory.levels()).toEqual([{ sku: 'COFFEE-1KG', quantity: 5 }]);
    expect(await tenantReads(tokenOf(till1), 'stock_levels?select=sku,quantity')).toEqual([{ sku: 'COFFEE-1KG', quantity: 5 }]);
    expect(await tenantReads(tokenOf(till1), 'stock_movements?select=delta&order=delta')).toEqual([{ delta: -3 }, { delta: -2 }, { delta: 10 }]);
  });

  it.each([
    ['the later edit uploads first', true],
    ['the earlier edit uploads first', false],
  ])('resolves a product renamed on two tills by the later edit (HLC), everywhere, when %s', async (_label, laterFirst) => {
    const tenant = uniqueTenant('inv-rename');
    const [till1, till2] = [await till(tenant, 'till-1'), await till(tenant, 'till-2')];
    const { id } = till1.inventory.upsertProduct({ sku: 'TEA-250G', name: 'Green tea', priceCents: 690 });
    await syncOk(till1);
    await syncUntil(till2.host, () => till2.inventory.product('TEA-250G') !== undefined);

    till1.inventory.upsertProduct({ sku: 'TEA-250G', name: 'Green tea 250 g', priceCents: 690 });
    await sleep(5);
    till2.inventory.upsertProduct({ sku: 'TEA-250G', name: 'Sencha 250 g', priceCents: 690 });

    const order = laterFirst ? [till2, till1, till2] : [till1, till2, till1];
    for (const device of order) await syncOk(device);
    await syncUntil(till1.host, () => till1.inventory.product('TEA-250G')?.name === 'Sencha 250 g');
    await syncUntil(till2.host, () => till2.inventory.product('TEA-250G')?.name === 'Sencha 250 g');
    expect(till1.inventory.product('TEA-250G')).toEqual(till2.inventory.product('TEA-250G'));
    expect(till1.inventory.product('TEA-250G')).toMatchObject({ id, name: 'Sencha 250 g' });
    expect(await tenantReads(tokenOf(till1), `products?id=eq.${id}&select=name`)).toEqual([{ name: 'Sencha 250 g' }]);
    expect([till1.host.status.conflicts, till2.host.status.conflicts, till1.host.status.pendingUploads, till2.host.status.pendingUploads]).toEqual([0, 0, 0, 0]);
  });

  it('merges one SKU created on two tills while offline into one product, the later edit winning', async () => {
    const tenant = uniqueTenant('inv-same-sku');
    const [till1, till2] = [await till(tenant, 'till-1'), await till(tenant, 'till-2')];
    till1.inventory.upsertProduct({ sku: 'NEW-1', name: 'New item', priceCents: 300 });
    till1.inventory.adjust({ sku: 'NEW-1', delta: 4, reason: 'purchase' });
    await sleep(5);
    till2.inventory.upsertProduct({ sku: 'NEW-1', name: 'New item (boxed)', priceCents: 350 });
    till2.inventory.adjust({ sku: 'NEW-1', delta: 2, reason: 'purchase' });

    for (const device of [till1, till2, till1]) await syncOk(device);
    await syncUntil(till1.host, () => till1.inventory.level('NEW-1') === 6 && till1.inventory.product('NEW-1')?.priceCents === 350);
    await syncUntil(till2.host, () => till2.inventory.level('NEW-1') === 6);
    expect(till1.inventory.product('NEW-1')).toEqual(till2.inventory.product('NEW-1'));
    expect(await tenantReads(tokenOf(till1), 'products?select=sku,name,price_cents')).toEqual([{ sku: 'NEW-1', name: 'New item (boxed)', price_cents: 350 }]);
  });

  it('holds back a movement written around the API that breaks the rules, with the reason, and uploads the rest', async () => {
    const tenant = uniqueTenant('inv-held');
    const device = await till(tenant, 'till-1');
    const { id } = device.inventory.upsertProduct({ sku: 'RICE', name: 'Rice', priceCents: 200 });
    device.host.store(INVENTORY).insert('stock_movements', { product_id: id, sku: 'RICE', delta: 2, reason: 'gift', occurred_at: new Date() });
    device.inventory.adjust({ sku: 'RICE', delta: 5, reason: 'purchase' });

    expect(await device.host.syncNow()).toMatchObject({ error: null, uploaded: 2, rejected: 1 });
    expect(device.host.status.failed).toEqual([expect.objectContaining({ table: 'stock_movements', reason: expect.stringMatching(/^reason must be one of sale, purchase/) })]);
    expect(await tenantReads(tokenOf(device), 'stock_levels?select=sku,quantity')).toEqual([{ sku: 'RICE', quantity: 5 }]);
  });
});
