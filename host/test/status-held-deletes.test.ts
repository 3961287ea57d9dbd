import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cloudRest, installCloudSchema, tempDir, uniqueTenant } from '@equinox-sync/core/testing';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { BUILTIN_PLUGINS, deviceConfig, equinox, runEquinox } from './host-kit.js';

const cloud = inject('cloud');
const INVENTORY = '@equinox-sync/plugin-inventory';

/** A till of a tenant that must hold a licence and holds none: the cloud's gate pauses its uploads. */
async function blockedTill(): Promise<{ file: string; tenant: string }> {
  const tenant = uniqueTenant('cli-blocked');
  const answer = await cloudRest('POST', 'rpc/settings_put', { body: { p_tenant: tenant, p_key: 'licence.required', p_value: true }, cloud });
  expect(answer.status).toBe(200);
  const dir = tempDir('cli-blocked');
  const file = join(dir, 'equinox.config.json');
  writeFileSync(file, JSON.stringify(await deviceConfig(cloud, { tenant, device: 'till', dir, builtins: true })));
  return { file, tenant };
}

describe('equinox status and deletes list: what waits, and why', () => {
  beforeAll(async () => {
    await installCloudSchema(BUILTIN_PLUGINS);
  });

  it('status, in a process of its own after a paused run, says why uploads are paused and lists the held deletes with their rows', async () => {
    const { file, tenant } = await blockedTill();
    const { createHost } = await import('../src/index.js');
    const host = await createHost({ config: file });
    const store = host.store(INVENTORY);
    store.insert('products', { sku: 'KEEP-1', name: 'Kept', price_cents: 250 });
    const { id } = store.insert('products', { sku: 'GONE-1', name: 'Espresso cups x6', price_cents: 1299 });
    store.delete('products', String(id));
    await host.dispose();

    const sync = await equinox(['sync', '--config', file]);
    expect(sync.exit).toBe(1);
    expect(sync.stderr).toContain('has no valid licence');

    const human = await runEquinox(['status', '--config', file]);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(`uploads          paused: tenant "${tenant}" has no valid licence`);
    expect(human.stdout).toContain('held deletes     1 (confirm with: equinox deletes confirm ID... or --all)');
    expect(human.stdout).toContain(`  products ${String(id)}: sku=GONE-1 name=Espresso cups x6 price_cents=1299`);

    const json = await runEquinox(['status', '--config', file, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({
      pendingUploads: 1,
      uploadsPaused: expect.stringContaining('has no valid licence'),
      heldDeletes: [{ table: 'products', id, row: { sku: 'GONE-1', name: 'Espresso cups x6', price_cents: 1299, deleted: true } }],
    });
  });

  it('deletes list shows each held row\'s own columns, cut to fit, and --json has the whole row', async () => {
    const { file } = await blockedTill();
    const { createHost } = await import('../src/index.js');
    const host = await createHost({ config: file });
    const { id } = host.store(INVENTORY).insert('products', { sku: 'LONG-1', name: 'A product whose name goes on and on well past any column', price_cents: 5 });
    host.store(INVENTORY).delete('products', String(id));
    await host.dispose();

    const human = await equinox(['deletes', 'list', '--config', file]);
    expect(human.exit).toBe(0);
    expect(human.stdout).toContain('sku=LONG-1 name=A product whose name go… price_cents=5');
    expect(human.stdout).not.toContain('tenant_id');

    const listed = await equinox(['deletes', 'list', '--config', file, '--json']);
    expect(listed.json).toMatchObject([{ table: 'products', id, row: { id, sku: 'LONG-1', name: 'A product whose name goes on and on well past any column', active: true } }]);
  });
});
