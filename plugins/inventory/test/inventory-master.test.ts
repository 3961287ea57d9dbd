import { join } from 'node:path';
import { cloudRest, deviceToken, installCloudSchema, masterToken, tempDir, uniqueSuffix, uniqueTenant, type RestAnswer } from '@equinox-sync/core/testing';
import { InventoryApi } from '../src/index.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createHost, type EquinoxHost } from '@equinox-sync/host';
import { BUILTIN_PLUGINS, deviceConfig, equinox, memoryLogger } from '../../../host/test/host-kit.js';

const cloud = inject('cloud');

// The master inventory spans every tenant of the shared test cloud: this file's SKUs are its own.
const run = uniqueSuffix();
const COFFEE = `COFFEE-${run}`;
const TEA = `TEA-${run}`;
const RICE = `RICE-${run}`;

/** Each tenant's movements: [sku, delta][] (products are created as needed). */
const STORIES: Record<string, [string, number][]> = {
  a: [[COFFEE, 10], [COFFEE, -3], [TEA, 5]],
  b: [[COFFEE, 7], [TEA, 4], [TEA, -4]], // B sells out of tea: it no longer holds it
  c: [[COFFEE, 2], [RICE, 30], [RICE, -1]],
};

const hosts: EquinoxHost[] = [];
const tenants: Record<string, string> = {};

function rpcMaster(token: string): Promise<RestAnswer> {
  return cloudRest('POST', 'rpc/inventory_master', { body: {}, token });
}

function ours(rows: unknown): unknown[] {
  return (rows as { sku: string }[]).filter((row) => row.sku.endsWith(run));
}

/** A head-office device, initialised as a user would: `equinox init --role master` with a head-office token. */
async function initMasterDevice(): Promise<string> {
  const dir = tempDir('inventory-master');
  const tenant = uniqueTenant('head-office');
  const token = await masterToken(tenant);
  const file = join(dir, 'equinox.config.json');
  const init = await equinox(['init', '--config', file, '--tenant', tenant, '--db', join(dir, 'office.db'), '--url', cloud.url, '--key', cloud.anonKey, '--token', token, '--role', 'master', '--device', 'office', '--json']);
  expect(init.exit).toBe(0);
  return file;
}

describe('the master inventory across three tenants', () => {
  const expected: { sku: string; quantity: number; tenants: number }[] = [];

  beforeAll(async () => {
    await installCloudSchema(BUILTIN_PLUGINS);
    const totals = new Map<string, { quantity: number; tenants: number }>();
    for (const [label, story] of Object.entries(STORIES)) {
      tenants[label] = uniqueTenant(`inv-master-${label}`);
      const config = await deviceConfig(cloud, { tenant: tenants[label], device: 'till-1', dir: tempDir('inventory-master'), builtins: true });
      const host = await createHost({ config, logger: memoryLogger() });
      hosts.push(host);
      const inventory = host.api(InventoryApi);
      for (const [sku, delta] of story) {
        if (inventory.product(sku) === undefined) inventory.upsertProduct({ sku, name: sku, priceCents: 100 });
        inventory.adjust({ sku, delta, reason: delta > 0 ? 'purchase' : 'sale' });
      }
      expect(await host.syncNow()).toMatchObject({ error: null, rejected: 0 });
      // Expected from what each device shows, summed: the cloud must agree with the devices.
      for (const { sku, quantity } of inventory.levels()) {
        const total = totals.get(sku) ?? { quantity: 0, tenants: 0 };
        totals.set(sku, { quantity: total.quantity + quantity, tenants: total.tenants + (quantity !== 0 ? 1 : 0) });
      }
    }
    expected.push(...[...totals].map(([sku, total]) => ({ sku, ...total })).sort((x, y) => x.sku.localeCompare(y.sku)));
  });

  afterAll(async () => {
    for (const host of hosts.splice(0)) await host.dispose();
  });

  it('equals the sum of the tenants\' totals, per SKU with the number of tenants holding it', async () => {
    expect(expected).toEqual([
      { sku: COFFEE, quantity: 16, tenants: 3 },
      { sku: RICE, quantity: 29, tenants: 1 },
      { sku: TEA, quantity: 5, tenants: 1 },
    ]);
    const { status, body } = await rpcMaster(await masterToken(uniqueTenant('hq')));
    expect(status).toBe(200);
    expect(ours(body)).toEqual(expected);
  });

  it("refuses a store's token with 403, even the token of a tenant that holds stock", async () => {
    const { status, body } = await rpcMaster(String(hosts[0]?.config.supabase.accessToken));
    expect(status).toBe(403);
    expect(body).toMatchObject({ code: '42501', message: expect.stringContaining('eq_role "master"') });
    expect((await rpcMaster(await deviceToken(tenants.b ?? ''))).status).toBe(403);
  });

  it('is pulled by a head-office device into its local copy (equinox inventory master)', async () => {
    const config = await initMasterDevice();
    const { json, exit } = await equinox(['inventory', 'master', '--config', config, '--json']);
    expect(exit).toBe(0);
    expect(ours(json)).toEqual(expected);

    // The copy is local: readable again without the cloud, and by the embedding API.
    const offline = await equinox(['inventory', 'master', '--config', config, '--offline', '--json']);
    expect(offline.exit).toBe(0);
    expect(ours(offline.json)).toEqual(expected);
    const host = await createHost({ config, logger: memoryLogger() });
    try {
      expect(ours(await host.api(InventoryApi).master({ refresh: false }))).toEqual(expected);
    } finally {
      await host.dispose();
    }
  });
});
