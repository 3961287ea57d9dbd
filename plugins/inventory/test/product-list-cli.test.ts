import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { installCloudSchema, tempDir, uniqueTenant } from '@equinox-sync/core/testing';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { productId } from '../src/index.js';
import { BUILTIN_PLUGINS, deviceConfig, equinox } from '../../../host/test/host-kit.js';

const cloud = inject('cloud');

describe('equinox inventory product list', () => {
  beforeAll(async () => {
    await installCloudSchema(BUILTIN_PLUGINS);
  });

  it('lists every product by SKU with its price, tax, stock and whether it is on sale; --json gives them as objects', async () => {
    const dir = tempDir('inventory-product-list');
    const tenant = uniqueTenant('cli-inv-list');
    const file = join(dir, 'equinox.config.json');
    writeFileSync(file, JSON.stringify(await deviceConfig(cloud, { tenant, device: 'till', dir, builtins: true })));

    const empty = await equinox(['inventory', 'product', 'list', '--config', file]);
    expect(empty.exit).toBe(0);
    expect(empty.stdout).toContain('No products yet');

    await equinox(['inventory', 'product', 'upsert', '--config', file, '--sku', 'TEA', '--name', 'Tea', '--price-cents', '690', '--tax-rate-bp', '1000']);
    await equinox(['inventory', 'product', 'upsert', '--config', file, '--sku', 'COFFEE-1KG', '--name', 'Coffee', '--price-cents', '1450', '--no-active']);
    await equinox(['inventory', 'adjust', '--config', file, '--sku', 'TEA', '--delta', '12', '--reason', 'purchase']);
    await equinox(['inventory', 'adjust', '--config', file, '--sku', 'TEA', '--delta', '-2', '--reason', 'sale']);

    const listed = await equinox(['inventory', 'product', 'list', '--config', file, '--json']);
    expect(listed.exit).toBe(0);
    expect(listed.json).toEqual([
      { id: productId(tenant, 'COFFEE-1KG'), sku: 'COFFEE-1KG', name: 'Coffee', priceCents: 1450, taxRateBp: 0, active: false, quantity: 0 },
      { id: productId(tenant, 'TEA'), sku: 'TEA', name: 'Tea', priceCents: 690, taxRateBp: 1000, active: true, quantity: 10 },
    ]);

    const human = await equinox(['inventory', 'product', 'list', '--config', file]);
    expect(human.stdout).toMatch(/│ TEA +│ Tea +│ 6\.90 +│ 10 % +│ 10 +│ yes +│/);
    expect(human.stdout).toMatch(/│ COFFEE-1KG +│ Coffee +│ 14\.50 +│ 0 % +│ 0 +│ no +│/);
  });
});
