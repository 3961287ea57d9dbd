import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { installCloudSchema, masterToken, tempDir, uniqueTenant } from '@equinox-sync/core/testing';
import { productId } from '../src/index.js';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { BUILTIN_PLUGINS, deviceConfig, equinox } from '../../../host/test/host-kit.js';

const cloud = inject('cloud');

/** A device config file with the built-in plugins on the test cloud; `master` makes it a head-office device. */
async function configFile(label: string, options: { master?: boolean; inventory?: boolean } = {}): Promise<{ file: string; tenant: string }> {
  const dir = tempDir('inventory-cli');
  const tenant = uniqueTenant(label);
  const config = await deviceConfig(cloud, { tenant, device: 'till', dir, builtins: true });
  const accessToken = options.master ? await masterToken(tenant) : config.supabase?.accessToken;
  const file = join(dir, 'equinox.config.json');
  writeFileSync(
    file,
    JSON.stringify({
      ...config,
      role: options.master ? 'master' : 'store',
      supabase: { ...config.supabase, accessToken },
      builtins: { fiscal: true, settings: true, inventory: options.inventory ?? true },
    }),
  );
  return { file, tenant };
}

describe('equinox inventory commands', () => {
  beforeAll(async () => {
    await installCloudSchema(BUILTIN_PLUGINS);
  });

  it('product upsert prints the product, changes only what is given, and refuses bad input', async () => {
    const { file, tenant } = await configFile('cli-inv-product');
    const created = await equinox(['inventory', 'product', 'upsert', '--config', file, '--sku', 'COFFEE-1KG', '--name', 'Coffee', '--price-cents', '1450', '--tax-rate-bp', '1000', '--json']);
    expect(created.exit).toBe(0);
    expect(created.json).toEqual({ id: productId(tenant, 'COFFEE-1KG'), sku: 'COFFEE-1KG', name: 'Coffee', priceCents: 1450, taxRateBp: 1000, active: true });

    const withdrawn = await equinox(['inventory', 'product', 'upsert', '--config', file, '--sku', 'COFFEE-1KG', '--name', '"Coffee beans 1 kg"', '--price-cents', '1500', '--no-active', '--json']);
    expect(withdrawn.json).toMatchObject({ name: 'Coffee beans 1 kg', priceCents: 1500, taxRateBp: 1000, active: false });

    const human = await equinox(['inventory', 'product', 'upsert', '--config', file, '--sku', 'TEA', '--name', 'Tea', '--price-cents', '690']);
    expect(human.stdout).toContain('Saved TEA "Tea" at 6.90');

    expect((await equinox(['inventory', 'product', 'upsert', '--config', file, '--sku', 'X', '--name', 'X', '--price-cents', 'cheap'])).exit).toBe(2);
    expect((await equinox(['inventory', 'product', 'upsert', '--config', file, '--sku', 'X', '--name', 'X', '--price-cents', '-5'])).exit).toBe(2);
    expect((await equinox(['inventory', 'product', 'upsert', '--config', file, '--sku', 'X', '--price-cents', '5'])).exit).toBe(2);
    const blank = await equinox(['inventory', 'product', 'upsert', '--config', file, '--sku="  "', '--name', 'X', '--price-cents', '5']);
    expect(blank.exit).toBe(1);
    expect(blank.stderr.trim()).toBe('Error: sku must be a non-empty text, got "  "');
  });

  it('adjust records a movement and prints it with the stock after it; levels prints [{ sku, quantity }]', async () => {
    const { file } = await configFile('cli-inv-adjust');
    expect((await equinox(['inventory', 'levels', '--config', file, '--json'])).json).toEqual([]);
    await equinox(['inventory', 'product', 'upsert', '--config', file, '--sku', 'TEA', '--name', 'Tea', '--price-cents', '690']);

    const purchase = await equinox(['inventory', 'adjust', '--config', file, '--sku', 'TEA', '--delta', '24', '--reason', 'purchase', '--location', 'back-room', '--json']);
    expect(purchase.exit).toBe(0);
    expect(purchase.json).toEqual({
      id: expect.any(String),
      productId: expect.any(String),
      sku: 'TEA',
      delta: 24,
      reason: 'purchase',
      location: 'back-room',
      occurredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      quantity: 24,
    });
    const sale = await equinox(['inventory', 'adjust', '--config', file, '--sku', 'TEA', '--delta=-5', '--reason', 'sale', '--json']);
    expect(sale.json).toMatchObject({ delta: -5, location: 'main', quantity: 19 });
    const spaced = await equinox(['inventory', 'adjust', '--config', file, '--sku', 'TEA', '--delta', '-1', '--reason', 'sale']);
    expect(spaced.stdout).toContain('Recorded sale -1 of TEA at main; stock here is now 18.');

    expect((await equinox(['inventory', 'levels', '--config', file, '--json'])).json).toEqual([{ sku: 'TEA', quantity: 18 }]);
    const table = await equinox(['inventory', 'levels', '--config', file]);
    expect(table.stdout).toMatch(/sku.*quantity[\s\S]*TEA.*18/);
    expect((await equinox(['sync', '--config', file, '--json'])).json).toMatchObject({ uploaded: 4, rejected: 0 });
  });

  it('adjust exits 2 on a bad flag and 1, in one line, on a refused movement', async () => {
    const { file } = await configFile('cli-inv-adjust-bad');
    await equinox(['inventory', 'product', 'upsert', '--config', file, '--sku', 'TEA', '--name', 'Tea', '--price-cents', '690']);
    expect((await equinox(['inventory', 'adjust', '--config', file, '--sku', 'TEA', '--delta', '1', '--reason', 'theft'])).exit).toBe(2);
    expect((await equinox(['inventory', 'adjust', '--config', file, '--sku', 'TEA', '--delta', '1.5', '--reason', 'sale'])).exit).toBe(2);
    expect((await equinox(['inventory', 'adjust', '--config', file, '--sku', 'TEA', '--reason', 'sale'])).exit).toBe(2);

    // A movement of 0 is bad usage, naming the flag.
    const zero = await equinox(['inventory', 'adjust', '--config', file, '--sku', 'TEA', '--delta', '0', '--reason', 'sale']);
    expect(zero.exit).toBe(2);
    expect(zero.stderr).toContain('--delta');
    expect(zero.stderr).toContain('"0" is not a change of stock: expected a whole number other than 0');
    const unknown = await equinox(['inventory', 'adjust', '--config', file, '--sku', 'NOPE', '--delta', '1', '--reason', 'sale', '--json']);
    expect(unknown.exit).toBe(1);
    expect(unknown.json).toMatchObject({ error: { message: expect.stringContaining('no product with sku "NOPE"') } });
    expect((await equinox(['inventory', 'levels', '--config', file, '--json'])).json).toEqual([]);
  });

  it('levels exits 2 on a bad flag and 1 when the inventory plugin is not enabled', async () => {
    const { file } = await configFile('cli-inv-levels-bad', { inventory: false });
    expect((await equinox(['inventory', 'levels', '--config', file, '--sku', 'A'])).exit).toBe(2);
    const disabled = await equinox(['inventory', 'levels', '--config', file]);
    expect(disabled.exit).toBe(1);
    expect(disabled.stderr.trim()).toBe('Error: no plugin "@equinox-sync/plugin-inventory" is loaded');
  });

  it('master prints [{ sku, quantity, tenants }] on a head-office device and refuses a store device', async () => {
    const store = await configFile('cli-inv-store');
    await equinox(['inventory', 'product', 'upsert', '--config', store.file, '--sku', `CLI-${store.tenant}`, '--name', '"Only here"', '--price-cents', '1']);
    await equinox(['inventory', 'adjust', '--config', store.file, '--sku', `CLI-${store.tenant}`, '--delta', '3', '--reason', 'purchase']);
    expect((await equinox(['sync', '--config', store.file, '--json'])).exit).toBe(0);

    const refused = await equinox(['inventory', 'master', '--config', store.file]);
    expect(refused.exit).toBe(1);
    expect(refused.stderr).toBe(
      'Error: the master inventory spans every tenant and is for head office only: this device\'s role is "store" (initialise a head-office device with --role master)\n',
    );

    const office = await configFile('cli-inv-office', { master: true });
    const never = await equinox(['inventory', 'master', '--config', office.file, '--offline', '--json']);
    expect(never).toMatchObject({ exit: 0, json: [] });
    const pulled = await equinox(['inventory', 'master', '--config', office.file, '--json']);
    expect(pulled.exit).toBe(0);
    expect(pulled.json).toContainEqual({ sku: `CLI-${store.tenant}`, quantity: 3, tenants: 1 });
    for (const line of pulled.json as unknown[]) expect(Object.keys(line as object)).toEqual(['sku', 'quantity', 'tenants']);
    const table = await equinox(['inventory', 'master', '--config', office.file, '--offline']);
    expect(table.stdout).toMatch(new RegExp(`CLI-${store.tenant}.*3.*1`));
    expect(table.stdout).toMatch(/As of \d{4}-/);

    expect((await equinox(['inventory', 'master', '--config', office.file, '--refresh'])).exit).toBe(2);
  });

  it('master exits 1 with the reason when the cloud cannot be reached', async () => {
    const office = await configFile('cli-inv-office-offline', { master: true });
    const config = JSON.parse(readFileSync(office.file, 'utf8')) as { supabase: object };
    writeFileSync(office.file, JSON.stringify({ ...config, supabase: { ...config.supabase, url: 'http://127.0.0.1:9' } }));
    const offline = await equinox(['inventory', 'master', '--config', office.file]);
    expect(offline.exit).toBe(1);
    expect(offline.stderr).toMatch(/^Error: could not refresh the master inventory from the cloud: .+\n$/);
  });
});
