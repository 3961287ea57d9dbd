import { compileServerSchema, type SupabaseRemote } from '@equinox-sync/core';
import { IncompleteAnswerError } from '@equinox-sync/core/plugin';
import { cloudRest, deviceRemote, deviceToken, masterToken, openPluginDevice, pushRows, uniqueTenant, type PluginDevice, type PluginDeviceOptions } from '@equinox-sync/core/testing';
import { startLocalCloud, type LocalCloud } from '@equinox-sync/local-cloud';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activate, inventoryPlugin, type InventoryApi, type MasterLevel } from '../src/index.js';
import { movement } from './movement-row.js';

/** More SKUs than one answer of the API carries (1,000 on Supabase). */
const SKUS = 1101;
const STORES = 3;

const sku = (index: number): string => `SKU-${String(index).padStart(5, '0')}`;

/**
 * The master inventory spans every tenant, so these 1,101 SKUs get a cloud of their own:
 * in the shared test cloud they would push other files' SKUs off a first page.
 */
describe('the master inventory past 1,000 SKUs', () => {
  let cloud: LocalCloud;
  let remote: SupabaseRemote;
  const expected: MasterLevel[] = [];

  beforeAll(async () => {
    cloud = await startLocalCloud();
    await cloud.applySql(compileServerSchema([inventoryPlugin]));
    // Each SKU held by one of three stores, uploaded as their devices upload (one push each, under the push cap).
    for (let store = 0; store < STORES; store += 1) {
      const tenant = uniqueTenant(`inv-pages-${store}`);
      const rows = [];
      for (let index = store; index < SKUS; index += STORES) {
        rows.push(movement(tenant, sku(index), index + 1, 'purchase'));
        expected.push({ sku: sku(index), quantity: index + 1, tenants: 1 });
      }
      const outcomes = await pushRows('stock_movements', rows, { token: await deviceToken(tenant, undefined, cloud), cloud });
      expect(outcomes.filter((outcome) => outcome.status !== 'applied')).toEqual([]);
    }
    expected.sort((a, b) => (a.sku < b.sku ? -1 : 1));
    remote = await deviceRemote(uniqueTenant('hq'), undefined, { cloud, role: 'master' });
  }, 180_000);

  afterAll(async () => {
    await cloud?.stop();
  });

  function headOffice(rpc: PluginDeviceOptions['rpc']): PluginDevice<InventoryApi> {
    return openPluginDevice(inventoryPlugin, activate, { role: 'master', tenant: uniqueTenant('hq'), rpc });
  }

  it('answers a page of at most 1,000 SKUs in SKU order as one value, and the next one after the last SKU', async () => {
    const token = await masterToken(uniqueTenant('hq'), undefined, cloud);
    const first = await cloudRest('POST', 'rpc/inventory_master', { body: {}, token, cloud });
    expect(first.status).toBe(200);
    expect(first.body).toEqual(expected.slice(0, 1000));
    const next = await cloudRest('POST', 'rpc/inventory_master', { body: { p_after: sku(999), p_limit: 1000 }, token, cloud });
    expect(next.body).toEqual(expected.slice(1000));
    // A page never grows past 1,000, whatever is asked for.
    expect(((await cloudRest('POST', 'rpc/inventory_master', { body: { p_limit: 5000 }, token, cloud })).body as unknown[]).length).toBe(1000);
  });

  it('gives head office every SKU, read in two pages, and keeps all of them in its local copy', async () => {
    const { api, rpcCalls } = headOffice((fn, args) => remote.rpc(fn, args));
    const levels = await api.master();
    expect(levels).toHaveLength(SKUS);
    expect(new Map(levels.map((level) => [level.sku, level]))).toEqual(new Map(expected.map((level) => [level.sku, level])));
    expect(rpcCalls).toEqual(['inventory_master', 'inventory_master']);
    expect(await api.master({ refresh: false })).toHaveLength(SKUS);
  });

  it('keeps the last whole copy when the cloud does not page as asked, with an error naming the function', async () => {
    let ignorePaging = false;
    // A cloud answering every call with its first page, as one that ignored p_after would.
    const { api } = headOffice((fn, args) => remote.rpc(fn, ignorePaging ? {} : args));
    await api.master();
    ignorePaging = true;
    const refresh = api.master();
    await expect(refresh).rejects.toBeInstanceOf(IncompleteAnswerError);
    await expect(api.master()).rejects.toThrow(/^the cloud's inventory_master\(\) answered the row "SKU-00000" twice .*: the answer may be incomplete, so it was not used$/);
    expect(await api.master({ refresh: false })).toHaveLength(SKUS);
  });
});
