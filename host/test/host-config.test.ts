import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '@equinox-sync/config';
import { tempDir } from '@equinox-sync/core/testing';
import { describe, expect, it } from 'vitest';
import { createHost, discoverPlugins } from '../src/index.js';
import { EXAMPLE_PLUGIN_DIR, memoryLogger, offlineConfig } from './host-kit.js';

describe('createHost configuration', () => {
  it('reports every bad value of a config file as one readable error', async () => {
    const dir = tempDir('config');
    const file = join(dir, 'equinox.config.json');
    writeFileSync(file, JSON.stringify({ tenantId: '', deviceId: 'till 1', dbPath: './till.db', supabase: { url: 'nope', key: 'secret-key' }, sync: { batchSize: 'lots' } }));
    const failure = await createHost({ config: file }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ConfigError);
    const lines = (failure as ConfigError).message.split('\n');
    expect(lines).toEqual([
      `${file}: tenantId = "": letters, digits, ".", "_", ":" or "-", 1 to 128 of them`,
      `${file}: deviceId = "till 1": letters, digits, ".", "_", ":" or "-", 1 to 64 of them`,
      `${file}: supabase.url = "nope": expected a URL such as https://xyz.supabase.co`,
      `${file}: sync.batchSize = "lots": expected a number`,
    ]);
    expect((failure as ConfigError).message).not.toContain('secret-key');
  });

  it('validates a config given in code with the same schema, secrets hidden', async () => {
    const failure = await createHost({ config: { ...offlineConfig(tempDir('config')), role: 'boss', supabase: { url: 'http://127.0.0.1:9', key: '' } } as never }).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ConfigError);
    expect((failure as ConfigError).message.split('\n')).toEqual([
      'createHost({ config }): role = "boss": must be "store" or "master"',
      'createHost({ config }): supabase.key = (hidden): must not be empty',
    ]);
  });

  it('names an unknown built-in, from the file, a variable or a config object, with the host\'s built-ins', async () => {
    const dir = tempDir('config');
    const file = join(dir, 'equinox.config.json');
    writeFileSync(file, JSON.stringify({ ...offlineConfig(dir), builtins: { fiscal: true, clients: false } }));
    const known = 'the built-ins are fiscal, inventory, settings';
    const failure = await createHost({ config: { configPath: file, env: { EQUINOX_BUILTINS_LOYALTY: 'yes' } } }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ConfigError);
    expect((failure as ConfigError).message.split('\n')).toEqual([
      `${file}: builtins.clients = false: unknown built-in "clients"; ${known}`,
      `EQUINOX_BUILTINS_LOYALTY: builtins.loyalty = true: unknown built-in "loyalty"; ${known}`,
    ]);
    const inCode = await createHost({ config: { ...offlineConfig(dir), builtins: { clients: true } } }).catch((error: unknown) => error);
    expect((inCode as ConfigError).message).toBe(`createHost({ config }): builtins.clients = true: unknown built-in "clients"; ${known}`);
  });

  it('loads the built-ins a config leaves on: a key left out is on, and EQUINOX_BUILTINS_<KEY> switches one', async () => {
    const dir = tempDir('config');
    const file = join(dir, 'equinox.config.json');
    writeFileSync(file, JSON.stringify({ ...offlineConfig(dir), builtins: { inventory: false } }));
    const { plugins } = await discoverPlugins({ config: { configPath: file, env: { EQUINOX_BUILTINS_SETTINGS: 'false' } }, logger: memoryLogger() });
    expect(plugins.map((plugin) => [plugin.name, plugin.state])).toEqual([['@equinox-sync/plugin-fiscal', 'active']]);
    const all = await discoverPlugins({ config: { configPath: file, env: { EQUINOX_BUILTINS_INVENTORY: 'true' } }, logger: memoryLogger() });
    expect(all.plugins.map((plugin) => plugin.name)).toEqual(['@equinox-sync/plugin-fiscal', '@equinox-sync/plugin-inventory', '@equinox-sync/plugin-settings']);
  });

  it('resolves the database and plugin paths against the config file folder', async () => {
    const dir = tempDir('config');
    const file = join(dir, 'equinox.config.json');
    const config = { ...offlineConfig(dir), dbPath: './data/../till.db', plugins: [EXAMPLE_PLUGIN_DIR] };
    writeFileSync(file, JSON.stringify(config));
    const host = await createHost({ config: { configPath: file, env: {} }, logger: memoryLogger() });
    try {
      expect(host.config.dbPath).toBe(join(dir, 'till.db'));
      expect(host.plugins().map((plugin) => [plugin.name, plugin.state])).toEqual([['@acme/equinox-clients', 'active']]);
    } finally {
      await host.dispose();
    }
  });

  it('applies EQUINOX_* variables over the file when loading', async () => {
    const dir = tempDir('config');
    const file = join(dir, 'equinox.config.json');
    writeFileSync(file, JSON.stringify(offlineConfig(dir)));
    const host = await createHost({ config: { configPath: file, env: { EQUINOX_DEVICE_ID: 'till-9' } }, logger: memoryLogger() });
    try {
      expect(host.config.deviceId).toBe('till-9');
    } finally {
      await host.dispose();
    }
  });
});
