import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { formatHlc, LocalStore, MAX_SAFE_INTEGER } from '@equinox-sync/core';
import { inventoryPlugin } from '@equinox-sync/plugin-inventory';
import { BUILTIN_PLUGINS, deviceConfig, equinox, installCloudSchema, tempDir, uniqueTenant } from '../../test/host-kit.js';

const cloud = inject('cloud');

describe('equinox status', () => {
  beforeAll(async () => {
    await installCloudSchema(cloud, BUILTIN_PLUGINS);
  });

  it('lists quarantined rows with their reasons and why uploads are paused, for people and as JSON', async () => {
    const tenant = uniqueTenant('cli-quarantine');
    const dir = tempDir('status');
    const config = await deviceConfig(cloud, { tenant, device: 'till', dir, builtins: true });
    const file = join(dir, 'equinox.config.json');
    writeFileSync(file, JSON.stringify(config));
    // What an earlier run left in this database: a pulled row it set aside, and a paused upload.
    const store = LocalStore.open({ path: String(config.dbPath), plugins: [inventoryPlugin], tenantId: tenant, deviceId: 'till' });
    const row = { id: 'p-huge', tenant_id: tenant, updated_at: formatHlc({ wallMs: Date.now(), counter: 0, deviceId: 'office' }), deleted: false, sku: 'H-1', name: 'Huge', price_cents: 2 ** 60, server_version: 41 };
    expect(store.applyRemote('products', [row])).toMatchObject({ quarantined: 1 });
    store.recordUploadsPaused('uploads paused: the licence of this till has expired');
    store.close();

    const reason = `column "price_cents": must be an integer within ±${MAX_SAFE_INTEGER} (22003)`;
    const { json, exit } = await equinox(['status', '--config', file, '--json']);
    expect(exit).toBe(0);
    expect(json).toMatchObject({
      uploadsPaused: 'uploads paused: the licence of this till has expired',
      quarantined: [{ table: 'products', id: 'p-huge', reason, receivedAt: expect.any(Number) }],
    });

    const human = await equinox(['status', '--config', file]);
    expect(human.exit).toBe(0);
    expect(human.stdout).toContain('uploads          paused: the licence of this till has expired');
    expect(human.stdout).toContain('quarantined      1 (pulled rows this device could not take)');
    expect(human.stdout).toMatch(new RegExp(`  products p-huge: ${reason.replace(/[()±]/g, '.')} \\(received \\d{4}-\\d\\d-\\d\\dT`));
  });
});
