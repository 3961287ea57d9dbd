import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cloudRest, installCloudSchema, tempDir, uniqueTenant, withSuperuser } from '@equinox-sync/core/testing';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { BUILTIN_PLUGINS, deviceConfig, equinox } from './host-kit.js';

const cloud = inject('cloud');
const INVENTORY = '@equinox-sync/plugin-inventory';

/** Runs SQL as the superuser with triggers silenced, as a bad restore or a hand edit would. */
async function handEdit(sql: string, values: unknown[]): Promise<void> {
  await withSuperuser(async (client) => {
    // Replica mode: no version stamp, so no device can notice the edit by pulling.
    await client.query("set session_replication_role = 'replica'");
    await client.query(sql, values);
  });
}

async function cloudName(tenant: string, id: string): Promise<unknown> {
  const { body } = await cloudRest('GET', `products?tenant_id=eq.${encodeURIComponent(tenant)}&id=eq.${encodeURIComponent(id)}&select=name`);
  return (body as { name: unknown }[])[0]?.name;
}

describe('equinox reconcile', () => {
  beforeAll(async () => {
    await installCloudSchema(BUILTIN_PLUGINS);
  });

  it('finds a row the cloud holds older than the device, uploads it again, and prints one entry per table (--json)', async () => {
    const tenant = uniqueTenant('reconcile');
    const dir = tempDir('reconcile');
    const config = join(dir, 'equinox.config.json');
    writeFileSync(config, JSON.stringify(await deviceConfig(cloud, { tenant, device: 'till', dir, builtins: true })));
    const { createHost } = await import('../src/index.js');
    const host = await createHost({ config });
    const product = host.store(INVENTORY).insert('products', { sku: 'TEA-1', name: 'Green tea', price_cents: 300 });
    expect((await host.syncNow()).error).toBeNull();
    await host.dispose();
    expect(await cloudName(tenant, String(product.id))).toBe('Green tea');

    await handEdit("update public.products set name = 'stale', updated_at = '0000000000001-0000-restore' where tenant_id = $1 and id = $2", [tenant, product.id]);

    const { json, exit } = await equinox(['reconcile', '--config', config, '--json']);
    expect(exit).toBe(0);
    const tables = (json as { tables: { table: string; checked: number; reuploaded: number }[] }).tables;
    expect(json).toMatchObject({ syncError: null });
    expect(tables.find((entry) => entry.table === 'products')).toMatchObject({ checked: 1, reuploaded: 1 });
    expect(tables.map((entry) => entry.table)).toEqual(expect.arrayContaining(['products', 'stock_movements', 'invoices', 'settings']));
    expect(await cloudName(tenant, String(product.id))).toBe('Green tea');

    const again = await equinox(['reconcile', '--config', config, '--table', 'products', '--json']);
    expect(again.exit).toBe(0);
    expect(again.json).toEqual({ tables: [expect.objectContaining({ table: 'products', reuploaded: 0 })], syncError: null });
  });

  it('refuses a table that does not sync, naming it (exit 1)', async () => {
    const dir = tempDir('reconcile');
    const config = join(dir, 'equinox.config.json');
    writeFileSync(config, JSON.stringify(await deviceConfig(cloud, { tenant: uniqueTenant('reconcile'), device: 'till', dir, builtins: true })));
    const { exit, stderr } = await equinox(['reconcile', '--config', config, '--table', 'nope']);
    expect(exit).toBe(1);
    expect(stderr).toMatch(/nope/);
  });
});
