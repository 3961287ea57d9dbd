import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, NO_CONFIG } from './index.js';

const valid = {
  tenantId: 'store-1',
  deviceId: 'till-1',
  dbPath: './till.db',
  supabase: { url: 'http://127.0.0.1:54321', key: 'anon-key-secret', accessToken: 'user-token-secret' },
};

function dirWith(file: string, content: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'equinox-config-'));
  writeFileSync(join(dir, file), typeof content === 'string' ? content : JSON.stringify(content));
  return dir;
}

function problemsOf(load: () => unknown): ConfigError {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('reads ./equinox.config.json, fills defaults and resolves dbPath against the file', () => {
    const dir = dirWith('equinox.config.json', valid);
    const { config, file } = loadConfig({ cwd: dir, env: {} });
    expect(file).toBe(join(dir, 'equinox.config.json'));
    expect(config.dbPath).toBe(join(dir, 'till.db'));
    expect(config.sync).toEqual({ intervalSeconds: 300, batchSize: 500, retry: { baseMs: 1000, maxMs: 300000, maxAttempts: 10 } });
    // Every built-in is on unless switched off: a key left out is on.
    expect(config.builtins).toEqual({});
    expect(config.role).toBe('store');
  });

  it('resolves a relative dbPath against the folder of a --config file, not the working directory', () => {
    // `equinox init` writes dbPath relative to that folder for this reason.
    const cwd = mkdtempSync(join(tmpdir(), 'equinox-config-'));
    mkdirSync(join(cwd, 'scratch'));
    writeFileSync(join(cwd, 'scratch', 'pos.json'), JSON.stringify({ ...valid, dbPath: 'pos.db' }));
    expect(loadConfig({ cwd, env: {}, configPath: 'scratch/pos.json' }).config.dbPath).toBe(join(cwd, 'scratch', 'pos.db'));
    writeFileSync(join(cwd, 'scratch', 'up.json'), JSON.stringify({ ...valid, dbPath: '../data/pos.db' }));
    expect(loadConfig({ cwd, env: {}, configPath: 'scratch/up.json' }).config.dbPath).toBe(join(cwd, 'data', 'pos.db'));
  });

  it('takes --config over EQUINOX_CONFIG over the default file', () => {
    const dir = dirWith('equinox.config.json', { ...valid, tenantId: 'from-default' });
    writeFileSync(join(dir, 'env.json'), JSON.stringify({ ...valid, tenantId: 'from-env-file' }));
    writeFileSync(join(dir, 'flag.json'), JSON.stringify({ ...valid, tenantId: 'from-flag' }));
    expect(loadConfig({ cwd: dir, env: {} }).config.tenantId).toBe('from-default');
    expect(loadConfig({ cwd: dir, env: { EQUINOX_CONFIG: 'env.json' } }).config.tenantId).toBe('from-env-file');
    expect(loadConfig({ cwd: dir, env: { EQUINOX_CONFIG: 'env.json' }, configPath: 'flag.json' }).config.tenantId).toBe('from-flag');
  });

  it('lets EQUINOX_* variables override the file', () => {
    const dir = dirWith('equinox.config.json', valid);
    const { config } = loadConfig({
      cwd: dir,
      env: { EQUINOX_TENANT_ID: 'store-9', EQUINOX_SYNC_BATCH_SIZE: '50', EQUINOX_PLUGINS: './a, b', EQUINOX_BUILTINS_FISCAL: 'false' },
    });
    expect(config.tenantId).toBe('store-9');
    expect(config.sync.batchSize).toBe(50);
    expect(config.plugins).toEqual([join(dir, 'a'), 'b']);
    expect(config.builtins.fiscal).toBe(false);
  });

  it('reads EQUINOX_BUILTINS_<KEY> for any key, and reports a value that is not a boolean', () => {
    const dir = dirWith('equinox.config.json', { ...valid, builtins: { fiscal: true, settings: false } });
    const { config } = loadConfig({ cwd: dir, env: { EQUINOX_BUILTINS_FISCAL: 'no', EQUINOX_BUILTINS_LOYALTY: 'yes', EQUINOX_BUILTINS_: 'true' } });
    expect(config.builtins).toEqual({ fiscal: false, settings: false, loyalty: true });
    const error = problemsOf(() => loadConfig({ cwd: dir, env: { EQUINOX_BUILTINS_SETTINGS: 'maybe' } }));
    expect(error.message).toBe('EQUINOX_BUILTINS_SETTINGS: builtins.settings = "maybe": expected true or false');
    const inFile = problemsOf(() => loadConfig({ cwd: dirWith('equinox.config.json', { ...valid, builtins: { fiscal: 'on' } }), env: {} }));
    expect(inFile.message).toBe('equinox.config.json: builtins.fiscal = "on": expected true or false');
  });

  it('with the host\'s built-in keys, names an unknown key (from the file or a variable) and the known ones, with the other problems', () => {
    const dir = dirWith('equinox.config.json', { ...valid, role: 'boss', builtins: { fiscal: true, clients: false } });
    const error = problemsOf(() => loadConfig({ cwd: dir, env: { EQUINOX_BUILTINS_LOYALTY: '1' }, knownBuiltins: ['fiscal', 'settings'] }));
    expect(error.message.split('\n')).toEqual([
      'equinox.config.json: role = "boss": must be "store" or "master"',
      'equinox.config.json: builtins.clients = false: unknown built-in "clients"; the built-ins are fiscal, settings',
      'EQUINOX_BUILTINS_LOYALTY: builtins.loyalty = true: unknown built-in "loyalty"; the built-ins are fiscal, settings',
    ]);
    expect(loadConfig({ cwd: dir, env: { EQUINOX_ROLE: 'store' } }).config.builtins).toEqual({ fiscal: true, clients: false });
  });

  it('builds a whole config from the environment alone', () => {
    const dir = mkdtempSync(join(tmpdir(), 'equinox-config-'));
    const { config, file } = loadConfig({
      cwd: dir,
      env: { EQUINOX_TENANT_ID: 't', EQUINOX_DEVICE_ID: 'd', EQUINOX_DB_PATH: 'x.db', EQUINOX_SUPABASE_URL: 'http://localhost:1', EQUINOX_SUPABASE_KEY: 'k' },
    });
    expect(file).toBeUndefined();
    expect(config.dbPath).toBe(join(dir, 'x.db'));
  });

  it('names the file, key and value of a bad value', () => {
    const dir = dirWith('equinox.config.json', { ...valid, sync: { batchSize: 'lots' } });
    const error = problemsOf(() => loadConfig({ cwd: dir, env: {} }));
    expect(error.message).toBe('equinox.config.json: sync.batchSize = "lots": expected a number');
  });

  it('names the environment variable of a bad override', () => {
    const dir = dirWith('equinox.config.json', valid);
    const error = problemsOf(() => loadConfig({ cwd: dir, env: { EQUINOX_SYNC_INTERVAL_SECONDS: 'soon', EQUINOX_ROLE: 'boss' } }));
    expect(error.problems.map((p) => `${p.source} ${p.key}`)).toEqual(['EQUINOX_SYNC_INTERVAL_SECONDS sync.intervalSeconds', 'EQUINOX_ROLE role']);
  });

  it('reports missing keys, unknown keys and bad URLs together', () => {
    const dir = dirWith('equinox.config.json', { deviceId: 'till 1', dbPath: 'x', supabase: { url: 'not a url', key: 'k' }, colour: 'red' });
    const error = problemsOf(() => loadConfig({ cwd: dir, env: {} }));
    const keys = error.problems.map((p) => p.key).sort();
    expect(keys).toEqual(['colour', 'deviceId', 'supabase.url', 'tenantId']);
    expect(error.message).toContain('equinox.config.json: colour = (not read): unknown key');
    expect(error.message).toContain('equinox.config.json: tenantId = (missing): is required');
  });

  it('names each unknown key on its own line, nested ones by their path, without their values', () => {
    const dir = dirWith('equinox.config.json', { ...valid, extra: 'x', supabase: { ...valid.supabase, acessToken: 'eyJ.secret' } });
    const error = problemsOf(() => loadConfig({ cwd: dir, env: {} }));
    expect(error.problems.map((p) => `${p.key} = ${p.value}: ${p.message}`).sort()).toEqual(['extra = (not read): unknown key', 'supabase.acessToken = (not read): unknown key']);
    expect(error.message).not.toContain('eyJ.secret');
  });

  it('takes an empty EQUINOX_CONFIG for none, and names a config path that is a directory', () => {
    const dir = dirWith('equinox.config.json', valid);
    expect(loadConfig({ cwd: dir, env: { EQUINOX_CONFIG: '' } }).file).toBe(join(dir, 'equinox.config.json'));
    const error = problemsOf(() => loadConfig({ cwd: dir, configPath: '.' }));
    expect(error.problems).toEqual([{ source: '.', key: '(file)', value: JSON.stringify(dir), message: 'is a directory, not a config file' }]);
  });

  it('never shows a secret in an error', () => {
    const dir = dirWith('equinox.config.json', { ...valid, supabase: { ...valid.supabase, url: 'nope', key: 12345 } });
    const error = problemsOf(() => loadConfig({ cwd: dir, env: { EQUINOX_SUPABASE_ACCESS_TOKEN: '' } }));
    expect(error.message).toContain('supabase.key = (hidden)');
    expect(error.message).not.toContain('12345');
  });

  it('with no file and no EQUINOX_* variable, reports that alone, with the path it looked for', () => {
    const dir = mkdtempSync(join(tmpdir(), 'equinox-config-'));
    const error = problemsOf(() => loadConfig({ cwd: dir, env: {} }));
    expect(error.problems).toEqual([{ source: 'equinox.config.json', key: '(file)', value: JSON.stringify(join(dir, 'equinox.config.json')), message: NO_CONFIG }]);
    // One variable is a config being built from the environment: its missing keys are the problems then.
    expect(problemsOf(() => loadConfig({ cwd: dir, env: { EQUINOX_TENANT_ID: 't' } })).problems.map((p) => p.key)).toEqual(['deviceId', 'dbPath', 'supabase']);
  });

  it('takes tenant and device ids of letters, digits, ".", "_", ":" and "-" only', () => {
    const dir = dirWith('equinox.config.json', { ...valid, tenantId: 'a b/c', deviceId: 'till:1' });
    const error = problemsOf(() => loadConfig({ cwd: dir, env: {} }));
    expect(error.message).toBe('equinox.config.json: tenantId = "a b/c": letters, digits, ".", "_", ":" or "-", 1 to 128 of them');
    expect(loadConfig({ cwd: dir, env: { EQUINOX_TENANT_ID: 'store-1.eu:north' } }).config.deviceId).toBe('till:1');
    expect(problemsOf(() => loadConfig({ cwd: dir, env: { EQUINOX_TENANT_ID: 'x'.repeat(129) } })).problems.map((p) => p.key)).toEqual(['tenantId']);
  });

  it('reports a file that is not JSON, and a --config file that does not exist', () => {
    const dir = dirWith('equinox.config.json', '{ "tenantId": ');
    expect(problemsOf(() => loadConfig({ cwd: dir, env: {} })).message).toMatch(/^equinox\.config\.json: \(file\) = \(not JSON\)/);
    expect(problemsOf(() => loadConfig({ cwd: dir, env: {}, configPath: 'missing.json' })).message).toContain('no such config file');
  });
});
