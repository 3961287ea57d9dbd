import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { installCloudSchema, tempDir, uniqueTenant } from '@equinox-sync/core/testing';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createHost } from '../src/index.js';
import { BUILTIN_PLUGINS, deviceConfig } from './host-kit.js';

const cloud = inject('cloud');
const INVENTORY = '@equinox-sync/plugin-inventory';

describe('host.rowState(table, id)', () => {
  beforeAll(async () => {
    await installCloudSchema(BUILTIN_PLUGINS);
  });

  it('tells where one record stands with the cloud: waiting to upload, then synced; unknown ids are undefined', async () => {
    const dir = tempDir('host-row-state');
    const file = join(dir, 'equinox.config.json');
    writeFileSync(file, JSON.stringify(await deviceConfig(cloud, { tenant: uniqueTenant('host-row-state'), device: 'till', dir, builtins: true })));
    const host = await createHost({ config: file });
    try {
      const { id } = host.store(INVENTORY).insert('products', { sku: 'RS-1', name: 'State', price_cents: 1 });
      expect(host.rowState('products', String(id))).toBe('PendingUpload');
      expect((await host.syncNow()).error).toBeNull();
      expect(host.rowState('products', String(id))).toBe('Synced');
      expect(host.rowState('products', 'no-such-id')).toBeUndefined();
      expect(() => host.rowState('no_such_table', String(id))).toThrow(/no_such_table/);
    } finally {
      await host.dispose();
    }
    expect(() => host.rowState('products', 'x')).toThrow('the host is disposed');
  });
});
