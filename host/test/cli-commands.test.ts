import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { deviceClaims, TokenMinter } from '@equinox-sync/local-cloud';
import { cloudRest, installCloudSchema, tempDir, uniqueTenant } from '@equinox-sync/core/testing';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { BUILTIN_PLUGINS, deviceConfig, equinox } from './host-kit.js';

const cloud = inject('cloud');
const INVENTORY = '@equinox-sync/plugin-inventory';

/** A device config file with the built-in plugins, on the test cloud. */
async function configFile(tenant: string, device: string): Promise<string> {
  const dir = tempDir('cli');
  const file = join(dir, 'equinox.config.json');
  writeFileSync(file, JSON.stringify(await deviceConfig(cloud, { tenant, device, dir, builtins: true })));
  return file;
}

describe('equinox commands (--json shapes, exit codes)', () => {
  beforeAll(async () => {
    await installCloudSchema(BUILTIN_PLUGINS);
  });

  it('sync uploads and prints { uploaded, downloaded, conflicts, rejected, durationMs }', async () => {
    const config = await configFile(uniqueTenant('cli-sync'), 'till');
    // A change made by an app that embeds the same database, then synced from the command line.
    const { createHost } = await import('../src/index.js');
    const host = await createHost({ config });
    host.store(INVENTORY).insert('products', { sku: 'A-1', name: 'Apple', price_cents: 100 });
    await host.dispose();

    const { json, exit } = await equinox(['sync', '--config', config, '--json']);
    expect(exit).toBe(0);
    expect(json).toEqual({ uploaded: 1, downloaded: 0, conflicts: 0, rejected: 0, durationMs: expect.any(Number) });
  });

  it('status prints the status object', async () => {
    const config = await configFile(uniqueTenant('cli-status'), 'till');
    const { json, exit } = await equinox(['status', '--config', config, '--json']);
    expect(exit).toBe(0);
    expect(json).toMatchObject({ online: true, pendingUploads: 0, conflicts: 0, failed: [], isSyncing: false, lastSync: null, progress: null });
  });

  it('plugins list names every plugin with its tables, strategies and state', async () => {
    const config = await configFile(uniqueTenant('cli-plugins'), 'till');
    const { json, exit } = await equinox(['plugins', 'list', '--config', config, '--json']);
    expect(exit).toBe(0);
    expect(json).toContainEqual({
      name: INVENTORY,
      displayName: 'Inventory',
      version: '0.1.0',
      tables: [
        { name: 'products', strategy: 'LastWriteWins' },
        { name: 'stock_movements', strategy: 'LocalWins' },
      ],
      state: 'active',
      error: null,
    });
  });

  it('deletes list and confirm: a held delete is listed, then confirmed', async () => {
    const config = await configFile(uniqueTenant('cli-deletes'), 'till');
    const { createHost } = await import('../src/index.js');
    const host = await createHost({ config });
    const { id } = host.store(INVENTORY).insert('products', { sku: 'D-1', name: 'Doomed', price_cents: 1 });
    host.store(INVENTORY).delete('products', String(id));
    await host.dispose();

    const listed = await equinox(['deletes', 'list', '--config', config, '--json']);
    expect(listed.json).toMatchObject([{ table: 'products', id }]);
    expect((await equinox(['deletes', 'confirm', '--config', config, '--json'])).exit).toBe(2);
    const unknown = await equinox(['deletes', 'confirm', 'no-such-id', '--config', config]);
    expect(unknown.exit).toBe(1);
    expect(unknown.stderr.trim()).toBe('Error: no delete is waiting for no-such-id');
    const confirmed = await equinox(['deletes', 'confirm', String(id), '--config', config, '--json']);
    expect(confirmed.json).toEqual({ confirmed: 1 });
    expect((await equinox(['deletes', 'list', '--config', config, '--json'])).json).toEqual([]);
  });

  it('conflicts list and resolve: an empty inbox, and an unknown id is one readable error', async () => {
    const config = await configFile(uniqueTenant('cli-conflicts'), 'till');
    expect((await equinox(['conflicts', 'list', '--config', config, '--json'])).json).toEqual([]);
    const missing = await equinox(['conflicts', 'resolve', 'nope', '--pick', 'remote', '--config', config]);
    expect(missing.exit).toBe(1);
    expect(missing.stderr.trim()).toBe('Error: no conflict for id "nope"');
    expect((await equinox(['conflicts', 'resolve', 'nope', '--pick', 'merged', '--config', config])).stderr).toContain('--pick merged needs --row FILE');
  });

  it('init writes a config that the other commands accept', async () => {
    const dir = tempDir('cli-init');
    const file = join(dir, 'till.json');
    const { json, exit } = await equinox([
      'init', '--config', file, '--tenant', uniqueTenant('cli-init'), '--db', join(dir, 'till.db'),
      '--url', cloud.url, '--key', cloud.anonKey, '--token', 'not-checked-here', '--device', 'till-9', '--json',
    ]);
    expect(exit).toBe(0);
    expect(json).toMatchObject({ config: file, deviceId: 'till-9', url: cloud.url, role: 'store' });
    expect((await equinox(['init', '--config', file, '--tenant', 't', '--db', 'x.db', '--url', cloud.url, '--key', 'k'])).stderr).toContain('exists; use --force');
  });

  it('init --local mints a token naming the tenant and the device, into a config only its owner may read', async () => {
    // The state a running `equinox cloud start --data` leaves for other commands, pointing at the test cloud.
    const data = tempDir('cli-init-cloud');
    writeFileSync(join(data, 'secrets.json'), JSON.stringify({ jwtSecret: cloud.jwtSecret, postgresPassword: 'x', authenticatorPassword: 'x' }));
    writeFileSync(join(data, 'state.json'), JSON.stringify({ url: cloud.url, anonKey: cloud.anonKey, serviceKey: 'not-for-devices', pgUrl: '', dataDir: data, pid: process.pid }));
    const dir = tempDir('cli-init-local');
    const file = join(dir, 'till', 'equinox.config.json');
    const tenant = uniqueTenant('cli-init-local');
    const init = ['init', '--config', file, '--tenant', tenant, '--db', join(dir, 'till', 'till.db'), '--local', '--data', data, '--device', 'till-3'];
    expect((await equinox([...init, '--json'])).exit).toBe(0);

    const config = JSON.parse(readFileSync(file, 'utf8')) as { deviceId: string; supabase: { accessToken: string } };
    expect(config.deviceId).toBe('till-3');
    expect(decodeJwt(config.supabase.accessToken)).toMatchObject({ role: 'authenticated', app_metadata: { tenant_id: tenant, device_id: 'till-3' } });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'till')).mode & 0o777).toBe(0o700);
    // The token works: the device is online with it.
    expect((await equinox(['status', '--config', file, '--json'])).json).toMatchObject({ online: true, lastError: null });

    // Overwriting a file someone opened up makes it private again.
    writeFileSync(file, '{}', { mode: 0o644 });
    expect((await equinox([...init, '--force', '--role', 'master'])).exit).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const master = JSON.parse(readFileSync(file, 'utf8')) as { supabase: { accessToken: string } };
    expect(decodeJwt(master.supabase.accessToken)).toMatchObject({ app_metadata: { tenant_id: tenant, device_id: 'till-3', eq_role: 'master' } });
  });

  it('cloud sql prints an idempotent migration with the built-in tables', async () => {
    const { json, exit } = await equinox(['cloud', 'sql', '--json']);
    expect(exit).toBe(0);
    const { sql, plugins } = json as { sql: string; plugins: string[] };
    expect(plugins).toEqual(['@equinox-sync/plugin-fiscal', INVENTORY, '@equinox-sync/plugin-settings']);
    expect(sql).toContain('create table if not exists public."products"');
    expect(sql).toContain('eq_push');
  });

  it('exits 2 on a bad flag and 1, in one line, on a missing config', async () => {
    expect((await equinox(['sync', '--no-such-flag'])).exit).toBe(2);
    expect((await equinox(['conflicts', 'resolve', 'x', '--pick', 'sideways'])).exit).toBe(2);
    const missing = await equinox(['status', '--config', '/nonexistent/equinox.json']);
    expect(missing.exit).toBe(1);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toContain('no such config file');
  });

  it('sync exits 1 when the cloud cannot be reached, and the change stays queued', async () => {
    const dir = tempDir('cli-offline');
    const file = join(dir, 'equinox.config.json');
    const config = await deviceConfig(cloud, { tenant: uniqueTenant('cli-offline'), device: 'till', dir, builtins: true });
    writeFileSync(file, JSON.stringify({ ...config, supabase: { ...config.supabase, url: 'http://127.0.0.1:9' } }));
    const { exit, stderr } = await equinox(['sync', '--config', file]);
    expect(exit).toBe(1);
    expect(stderr).toMatch(/^Error: offline: .*changes stay queued\n$/);
  });
});

describe('equinox sync with a token minted for someone else', () => {
  beforeAll(async () => {
    await installCloudSchema(BUILTIN_PLUGINS);
  });

  /** A device config of `tenant` whose token carries `claims` instead of its own, with one product queued. */
  async function deviceWithToken(tenant: string, claims: Record<string, unknown>): Promise<{ file: string; id: string }> {
    const dir = tempDir('cli-token');
    const file = join(dir, 'equinox.config.json');
    const config = await deviceConfig(cloud, { tenant, device: 'till', dir, builtins: true });
    const accessToken = await new TokenMinter(cloud.jwtSecret).mint(claims);
    writeFileSync(file, JSON.stringify({ ...config, supabase: { ...config.supabase, accessToken } }));
    const { createHost } = await import('../src/index.js');
    const host = await createHost({ config: file });
    const { id } = host.store(INVENTORY).insert('products', { sku: 'T-1', name: 'Token', price_cents: 1 });
    await host.dispose();
    return { file, id: String(id) };
  }

  /** Products with this id in the cloud, of any tenant, read with the service key. */
  async function cloudProducts(id: string): Promise<unknown> {
    return (await cloudRest('GET', `products?id=eq.${encodeURIComponent(id)}&select=tenant_id`)).body;
  }

  it('another tenant\'s token: exit 1 naming both tenants and the fix, nothing uploaded, the row still queued', async () => {
    const tenant = uniqueTenant('cli-mine');
    const other = uniqueTenant('cli-theirs');
    const { file, id } = await deviceWithToken(tenant, deviceClaims({ tenant: other, device: 'till' }));
    const { exit, stderr } = await equinox(['sync', '--config', file]);
    expect(exit).toBe(1);
    expect(stderr).toContain(
      `the token is for tenant "${other}" but this device is configured for tenant "${tenant}": ` +
        `mint a token for "${tenant}" (equinox cloud token --tenant ${tenant} --device till)`,
    );
    expect(await cloudProducts(id)).toEqual([]);
    expect((await equinox(['status', '--config', file, '--json'])).json).toMatchObject({ pendingUploads: 1 });
  });

  it('a token naming no tenant: exit 1, nothing uploaded', async () => {
    const { file, id } = await deviceWithToken(uniqueTenant('cli-none'), { role: 'authenticated', app_metadata: { device_id: 'till' } });
    const { exit, stderr } = await equinox(['sync', '--config', file]);
    expect(exit).toBe(1);
    expect(stderr).toContain('the token names no tenant but this device is configured for tenant');
    expect(await cloudProducts(id)).toEqual([]);
  });

  it('another installation\'s token of the same tenant: tenant data syncs, with a warning', async () => {
    const tenant = uniqueTenant('cli-device');
    const { file, id } = await deviceWithToken(tenant, deviceClaims({ tenant, device: 'till-elsewhere' }));
    const { exit, json } = await equinox(['sync', '--config', file, '--json']);
    expect(exit).toBe(0);
    expect(json).toMatchObject({ uploaded: 1, rejected: 0, warning: expect.stringContaining('the token is for device "till-elsewhere" but this device is "till"') });
    expect(await cloudProducts(id)).toEqual([{ tenant_id: tenant }]);
    const again = await equinox(['sync', '--config', file]);
    expect(again.exit).toBe(0);
    expect(again.stderr).toContain('Warning: the token is for device "till-elsewhere"');
  });
});
