import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadConfig } from '@equinox-sync/config';
import { startLocalCloud, type LocalCloud } from '@equinox-sync/local-cloud';
import { cloudRows, tempDir, uniqueTenant } from '@equinox-sync/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHost } from '../src/index.js';
import { deviceConfig, equinox, EXAMPLE_PLUGIN_DIR, runEquinox, type ProcessRun } from './host-kit.js';

const INVENTORY = '@equinox-sync/plugin-inventory';

/** Runs `equinox ...args` as a real process in `cwd`, as a user typing in that folder would. */
function equinoxIn(cwd: string, args: string[]): Promise<ProcessRun> {
  return runEquinox(args, { cwd });
}

describe('first run against a fresh local cloud (no equinox schema yet)', () => {
  let cloud: LocalCloud;
  let data: string;

  beforeAll(async () => {
    // What `equinox cloud start --data DIR` runs: a fresh cloud, with its state file in DIR for init --local.
    data = join(tempDir('first-run'), 'cloud');
    cloud = await startLocalCloud({ dataDir: data });
  });

  afterAll(async () => {
    await cloud?.stop();
  });

  it('sync names the fix; init --local installs the schema of the device\'s plugins; sync then uploads', async () => {
    const dir = tempDir('first-run-device');
    const tenant = uniqueTenant('first-run');

    // A device configured by hand against the cloud before any migration: the run stops with the fix, not a raw PGRST202.
    const early = join(dir, 'early.json');
    writeFileSync(early, JSON.stringify(await deviceConfig(cloud, { tenant, device: 'early', dir, builtins: true })));
    const before = await equinox(['sync', '--config', early]);
    expect(before.exit).toBe(1);
    expect(before.stderr).toContain(
      'the cloud has no equinox schema (eq_health is missing): run "equinox cloud sql --apply" on the local cloud, ' +
        'or apply the migration from "equinox cloud sql" to your Supabase project',
    );
    expect(before.stderr).not.toContain('PGRST202');
    expect(before.stderr.trim().split('\n')).toHaveLength(1);

    const file = join(dir, 'till', 'equinox.config.json');
    const init = ['init', '--config', file, '--tenant', tenant, '--db', join(dir, 'till', 'till.db'), '--local', '--data', data, '--device', 'till-1'];
    const first = await equinox([...init, '--json']);
    expect(first.exit).toBe(0);
    expect(first.json).toMatchObject({
      cloudSchema: { installed: true, plugins: ['@equinox-sync/plugin-fiscal', INVENTORY, '@equinox-sync/plugin-settings'], reason: 'the cloud had no equinox schema' },
    });
    const said = await equinox([...init, '--force']);
    expect(said.exit).toBe(0);
    expect(said.stdout).toContain('already has the schema of the 3 plugins');

    const host = await createHost({ config: file });
    host.store(INVENTORY).insert('products', { sku: 'FIRST-1', name: 'First', price_cents: 100 });
    await host.dispose();
    const sync = await equinox(['sync', '--config', file, '--json']);
    expect(sync.exit).toBe(0);
    expect(sync.json).toMatchObject({ uploaded: 1, rejected: 0 });
    expect((await cloudRows('products', tenant, cloud)).map((row) => row.sku)).toEqual(['FIRST-1']);
  });

  it('init --local upgrades a cloud that lacks a table of the device\'s plugins', async () => {
    // The cloud has the schema (the test above, or now); a table dropped by hand is "older" than the device.
    const { applySql } = await import('@equinox-sync/local-cloud');
    const dir = tempDir('first-run-upgrade');
    const init = ['init', '--config', join(dir, 'a.json'), '--tenant', uniqueTenant('upgrade'), '--db', join(dir, 'a.db'), '--local', '--data', data, '--device', 'till-2', '--json'];
    expect((await equinox(init)).exit).toBe(0);
    await applySql(cloud, 'drop table public.stock_movements cascade; delete from equinox.tables where name = \'stock_movements\';');

    const again = await equinox([...init, '--force']);
    expect(again.exit).toBe(0);
    expect(again.json).toMatchObject({ cloudSchema: { installed: true, reason: expect.stringContaining('stock_movements') } });
    expect(await cloudRows('stock_movements', 'nobody', cloud)).toEqual([]);
  });

  it("writes the plugin into the config relative to the config's folder, and installs its cloud schema with the built-in ones", async () => {
    const cwd = tempDir('init-plugin-device');
    const typed = relative(cwd, EXAMPLE_PLUGIN_DIR); // ../../…/examples/plugin-clients, as a user in cwd types it
    const run = await equinoxIn(cwd, ['init', '--config', 'shop/till-1.json', '--db', 'shop/till-1.db', '--tenant', uniqueTenant('plugin'), '--device', 'till-1', '--local', '--data', data, '--plugin', typed, '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ cloudSchema: { installed: true, plugins: expect.arrayContaining(['@acme/equinox-clients', INVENTORY]) } });
    const written = JSON.parse(readFileSync(join(cwd, 'shop', 'till-1.json'), 'utf8')) as { plugins: string[] };
    expect(written.plugins).toEqual([relative(join(cwd, 'shop'), EXAMPLE_PLUGIN_DIR)]);
    // The device then loads it: its command runs with that config.
    const add = await equinoxIn(cwd, ['clients', 'add', '--name', 'Ada', '--email', 'ada@example.com', '--config', 'shop/till-1.json']);
    expect(add.code, add.stderr).toBe(0);
  });

  it('refuses a plugin folder that is not there, naming --plugin (exit 2), and writes nothing', async () => {
    const cwd = tempDir('init-plugin-missing');
    const run = await equinoxIn(cwd, ['init', '--db', 'till.db', '--tenant', 'shop-1', '--device', 'till-1', '--url', 'http://127.0.0.1:9', '--key', 'anon', '--plugin', './nope']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--plugin: ./nope: no such folder');
    expect(existsSync(join(cwd, 'equinox.config.json'))).toBe(false);
  });
});

describe('init writes paths that resolve back to what the user typed', () => {
  it('a relative --db is written relative to the config file\'s folder', async () => {
    const cwd = tempDir('init-paths');
    const run = await equinoxIn(cwd, [
      'init', '--db', './scratch/pos.db', '--config', 'scratch/pos.json', '--tenant', 'store-1', '--device', 'pos-1',
      '--url', 'http://127.0.0.1:9', '--key', 'anon', '--json',
    ]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ config: join(cwd, 'scratch', 'pos.json'), dbPath: join(cwd, 'scratch', 'pos.db') });
    expect(JSON.parse(readFileSync(join(cwd, 'scratch', 'pos.json'), 'utf8'))).toMatchObject({ dbPath: 'pos.db' });
    expect(loadConfig({ configPath: 'scratch/pos.json', cwd, env: {} }).config.dbPath).toBe(join(cwd, 'scratch', 'pos.db'));

    // A database outside the config's folder, and one given as an absolute path.
    const outside = await equinoxIn(cwd, ['init', '--db', 'data/pos.db', '--config', 'conf/pos.json', '--tenant', 's', '--device', 'p', '--url', 'http://127.0.0.1:9', '--key', 'anon']);
    expect(outside.code).toBe(0);
    expect(existsSync(join(cwd, 'data'))).toBe(true);
    expect(loadConfig({ configPath: 'conf/pos.json', cwd, env: {} }).config.dbPath).toBe(join(cwd, 'data', 'pos.db'));
    const absolute = join(cwd, 'abs', 'pos.db');
    expect((await equinoxIn(cwd, ['init', '--db', absolute, '--config', 'abs.json', '--tenant', 's', '--device', 'p', '--url', 'http://127.0.0.1:9', '--key', 'anon'])).code).toBe(0);
    expect(loadConfig({ configPath: 'abs.json', cwd, env: {} }).config.dbPath).toBe(absolute);
  });

  it('a folder it cannot make, or a config it cannot write, is one line naming the path', async () => {
    const cwd = tempDir('init-path-errors');
    writeFileSync(join(cwd, 'plain-file'), '');
    const coordinates = ['--tenant', 's', '--device', 'p', '--url', 'http://127.0.0.1:9', '--key', 'anon'];

    const db = await equinoxIn(cwd, ['init', '--db', 'plain-file/sub/pos.db', '--config', 'pos.json', ...coordinates]);
    expect(db.code).toBe(1);
    expect(db.stderr.trim()).toBe(`Error: cannot create the folder of the database ${join(cwd, 'plain-file', 'sub')}: ENOTDIR`);

    const config = await equinoxIn(cwd, ['init', '--db', 'pos.db', '--config', 'plain-file/pos.json', ...coordinates]);
    expect(config.code).toBe(1);
    expect(config.stderr.trim()).toBe(`Error: cannot write the config ${join(cwd, 'plain-file', 'pos.json')}: ENOTDIR`);

    // A config written by hand whose database cannot be: the host says which file and which key.
    writeFileSync(join(cwd, 'hand.json'), JSON.stringify({ tenantId: 's', deviceId: 'p', dbPath: 'plain-file/pos.db', supabase: { url: 'http://127.0.0.1:9', key: 'anon' } }));
    const open = await equinoxIn(cwd, ['status', '--config', 'hand.json']);
    expect(open.code).toBe(1);
    expect(open.stderr).toContain(`Error: cannot open the database ${join(cwd, 'plain-file', 'pos.db')} (dbPath in ${join(cwd, 'hand.json')}): ENOTDIR`);
  });
});
