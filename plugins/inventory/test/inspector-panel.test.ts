import type { InspectorPanel, InspectorView } from '@equinox-sync/core/plugin';
import { deviceRemote, installCloudSchema, nextHlc, openPluginDevice, uniqueTenant, type PluginDevice, type PluginDeviceOptions } from '@equinox-sync/core/testing';
import { describe, expect, inject, it } from 'vitest';
import { activate, inventoryPlugin, productId, type InventoryApi } from '../src/index.js';

const cloud = inject('cloud');

function device(options: PluginDeviceOptions = {}): PluginDevice<InventoryApi> {
  return openPluginDevice(inventoryPlugin, activate, options);
}

function stockPanel(d: PluginDevice<InventoryApi>): InspectorPanel {
  const panel = d.panels.find(inventoryPlugin.name, 'stock');
  if (panel === undefined) throw new Error('the inventory plugin registered no "stock" panel');
  return panel;
}

function tables(shown: InspectorView) {
  return shown.sections.flatMap((section) => (section.kind === 'table' ? [section] : []));
}

describe('the "Stock" inspector panel', () => {
  it('shows the quantity on hand of every product from its movements, lowest first, out of stock marked', async () => {
    const d = device({ tenant: uniqueTenant('panel-stock') });
    expect(await stockPanel(d).load()).toMatchObject({ summary: 'No products yet', tone: 'ok' });

    d.api.upsertProduct({ sku: 'COFFEE', name: 'Coffee beans 1 kg', priceCents: 1450 });
    d.api.upsertProduct({ sku: 'TEA', name: 'Green tea', priceCents: 420 });
    d.api.upsertProduct({ sku: 'RICE', name: 'Rice', priceCents: 199 });
    d.api.upsertProduct({ sku: 'OLD', name: 'Withdrawn', priceCents: 100, active: false });
    d.api.adjust({ sku: 'COFFEE', delta: 10, reason: 'purchase' });
    d.api.adjust({ sku: 'COFFEE', delta: -3, reason: 'sale' });
    d.api.adjust({ sku: 'TEA', delta: 2, reason: 'purchase' });
    d.api.adjust({ sku: 'TEA', delta: -2, reason: 'sale' });
    let shown = await stockPanel(d).load();
    expect(shown).toMatchObject({ summary: '4 products, 2 out of stock', tone: 'warn' });
    const [stock] = tables(shown);
    expect(stock?.columns).toEqual(['sku', 'name', 'on hand', 'price', 'on sale']);
    expect(stock?.rows).toEqual([
      ['OLD', 'Withdrawn', 0, '1.00', 'no'],
      ['RICE', 'Rice', 0, '1.99', 'yes'],
      ['TEA', 'Green tea', 0, '4.20', 'yes'],
      ['COFFEE', 'Coffee beans 1 kg', 7, '14.50', 'yes'],
    ]);
    expect(stock?.tones).toEqual([null, 'warn', 'warn', null]);

    // Sold below zero on this till: a delivery was not recorded, which is worse than running out.
    d.api.adjust({ sku: 'TEA', delta: -1, reason: 'sale' });
    shown = await stockPanel(d).load();
    expect(shown).toMatchObject({ summary: '4 products, 2 out of stock', tone: 'bad' });
    expect(tables(shown)[0]?.rows[0]).toEqual(['TEA', 'Green tea', -1, '4.20', 'yes']);
    expect(tables(shown)[0]?.tones?.[0]).toBe('bad');
  });

  it('counts movements pulled for a SKU whose product has not reached the device', async () => {
    const tenant = uniqueTenant('panel-stock-pulled');
    const d = device({ tenant });
    d.api.upsertProduct({ sku: 'COFFEE', name: 'Coffee', priceCents: 1450 });
    d.api.adjust({ sku: 'COFFEE', delta: 5, reason: 'purchase' });
    d.store.applyRemote('stock_movements', [
      {
        id: '01900000-0000-7000-8000-000000000001',
        tenant_id: tenant,
        updated_at: nextHlc('till-2'),
        deleted: false,
        server_version: 1,
        product_id: productId(tenant, 'NEW'),
        sku: 'NEW',
        delta: 4,
        reason: 'purchase',
        location: 'main',
        occurred_at: new Date().toISOString(),
      },
    ]);
    const shown = await stockPanel(d).load();
    expect(shown.summary).toBe('1 product, all in stock, 1 SKU with movements but no product here');
    expect(tables(shown)[0]?.rows).toEqual([
      ['NEW', '(no product on this device)', 4, '', 'yes'],
      ['COFFEE', 'Coffee', 5, '14.50', 'yes'],
    ]);
  });

  it('shows at most 50 rows and says how many more there are', async () => {
    const d = device();
    for (let i = 0; i < 55; i++) {
      const sku = `SKU-${String(i).padStart(2, '0')}`;
      d.api.upsertProduct({ sku, name: sku, priceCents: 100 });
      d.api.adjust({ sku, delta: i + 1, reason: 'purchase' });
    }
    const shown = await stockPanel(d).load();
    expect(shown).toMatchObject({ summary: '55 products, all in stock', tone: 'ok' });
    const [stock] = tables(shown);
    expect(stock?.rows).toHaveLength(50);
    expect(stock?.rows[49]?.[0]).toBe('SKU-49');
    expect(stock?.title).toBe('On hand, lowest first (50 of 55; 5 more with higher stock)');
  });

  it('on a head-office device, shows the copy of the master inventory and refreshes it from the cloud', async () => {
    await installCloudSchema([inventoryPlugin], cloud);
    const tenant = uniqueTenant('panel-master');
    const remote = await deviceRemote(tenant, 'office', { cloud, role: 'master' });
    const d = device({ tenant, device: 'office', role: 'master', rpc: (fn, args) => remote.rpc(fn, args) });
    let shown = await stockPanel(d).load();
    expect(shown.sections.find((section) => section.kind === 'facts')).toMatchObject({
      title: 'Master inventory (every tenant)',
      facts: [{ label: 'SKUs', value: '0' }, { label: 'Refreshed', value: 'never: press "Refresh master inventory"', tone: 'warn' }],
    });
    const refresh = stockPanel(d).actions?.find((action) => action.id === 'refresh-master');
    const result = await refresh?.run();
    expect(result).toMatchObject({ tone: 'ok', message: expect.stringMatching(/^Master inventory refreshed: \d+ SKUs? across tenants\.$/) });
    shown = await stockPanel(d).load();
    expect(shown.sections.find((section) => section.kind === 'facts')).toMatchObject({ facts: [{ label: 'SKUs' }, { label: 'Refreshed', value: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) }] });
    expect(tables(shown)[1]?.columns).toEqual(['sku', 'total', 'tenants']);

    const offline = await deviceRemote(tenant, 'office', { cloud, role: 'master', url: 'http://127.0.0.1:9' });
    const cut = device({ tenant, device: 'office-2', role: 'master', rpc: (fn, args) => offline.rpc(fn, args) });
    expect(await stockPanel(cut).actions?.[0]?.run()).toMatchObject({
      tone: 'warn',
      message: expect.stringMatching(/^The master inventory was not refreshed: could not refresh the master inventory from the cloud: .+\. The last copy is kept\.$/),
    });
  });

  it('offers no master section nor action on a store device, and is removed when the plugin deactivates', async () => {
    const d = device();
    expect(d.panels.list().map(({ plugin, panel }) => [plugin, panel.id, panel.title])).toEqual([[inventoryPlugin.name, 'stock', 'Stock']]);
    expect(stockPanel(d).actions).toBeUndefined();
    expect((await stockPanel(d).load()).sections.map((section) => section.kind)).toEqual(['table']);
    d.close();
    expect(d.panels.list()).toEqual([]);
  });
});
