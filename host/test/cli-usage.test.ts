import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@equinox-sync/core/testing';
import { describe, expect, it } from 'vitest';
import { equinox, runEquinox } from './host-kit.js';

/** This process's environment without any EQUINOX_* variable: a shell with no device configured. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('EQUINOX_')));
}

/** A local cloud's data dir as `cloud token` reads it: only its secrets, no cloud needed to mint. */
function cloudData(): string {
  const data = tempDir('cli-usage-cloud');
  writeFileSync(join(data, 'secrets.json'), JSON.stringify({ jwtSecret: 'a-secret-of-at-least-thirty-two-characters', postgresPassword: 'x', authenticatorPassword: 'x' }));
  return data;
}

describe('equinox usage errors: exit 2, naming the flag and what it takes', () => {
  it('a command missing what it needs exits 2 with the hint to --help', async () => {
    const merged = await equinox(['conflicts', 'resolve', 'some-id', '--pick', 'merged', '--config', '/nonexistent/equinox.json']);
    expect(merged.exit).toBe(2);
    expect(merged.stderr).toContain('--pick merged needs --row FILE with the merged row');
    expect(merged.stderr).toContain('See more help with --help');

    const confirm = await equinox(['deletes', 'confirm', '--config', '/nonexistent/equinox.json']);
    expect(confirm.exit).toBe(2);
    expect(confirm.stderr).toContain('name the ids to confirm, or use --all');

    const dir = tempDir('cli-usage-init');
    const init = await equinox(['init', '--config', join(dir, 'till.json'), '--tenant', 'store-1', '--db', join(dir, 'till.db')]);
    expect(init.exit).toBe(2);
    expect(init.stderr).toContain('give either --local or --url and --key');
  });

  it('names every missing flag with what it takes, on one line; with --json as a short error object', async () => {
    const dir = tempDir('cli-usage-missing');
    const init = await equinox(['init', '--config', join(dir, 'till.json'), '--tenant', 'store-1']);
    expect(init.exit).toBe(2);
    expect(init.stderr).toBe('Error: missing --db (SQLite file of this device)\nSee more help with --help\n');

    const resolve = await equinox(['conflicts', 'resolve', 'some-id', '--config', '/nonexistent/equinox.json']);
    expect(resolve.exit).toBe(2);
    expect(resolve.stderr.split('\n')[0]).toMatch(/^Error: missing --pick \(.+\)$/);

    const both = await equinox(['init', '--config', join(dir, 'till.json'), '--tenant', 'store-1', '--db', join(dir, 'till.db'), '--local', '--url', 'http://127.0.0.1:9', '--key', 'k']);
    expect(both.exit).toBe(2);
    expect(both.stderr).toBe('Error: --url=http://127.0.0.1:9 cannot also be provided when using --local\nSee more help with --help\n');

    const json = await equinox(['init', '--config', join(dir, 'till.json'), '--tenant', 'store-1', '--json']);
    expect(json.exit).toBe(2);
    expect(json.json).toEqual({ error: expect.objectContaining({ message: 'missing --db (SQLite file of this device)\nSee more help with --help' }) });
    expect(Object.keys((json.json as { error: object }).error).sort()).toEqual(['message', 'name', 'oclif', 'showHelp']);
  });

  it('--row names the file and why it cannot be read: not found, or not JSON', async () => {
    const missing = await equinox(['conflicts', 'resolve', 'some-id', '--pick', 'merged', '--row', '/nonexistent.json']);
    expect(missing.exit).toBe(2);
    expect(missing.stderr).toMatch(/Error: --row: \/nonexistent\.json: file not found/);

    const bad = join(tempDir('cli-usage-row'), 'merged.json');
    writeFileSync(bad, '{ "name": ');
    const invalid = await equinox(['conflicts', 'resolve', 'some-id', '--pick', 'merged', '--row', bad]);
    expect(invalid.exit).toBe(2);
    expect(invalid.stderr).toContain(`Error: --row: ${bad}: invalid JSON (`);
  });

  it('cloud token refuses a lifetime that is not one, or not positive, naming --expires-in and the format', async () => {
    const data = cloudData();
    for (const lifetime of ['soon', '-1h', '0', '0d']) {
      const run = await equinox(['cloud', 'token', '--data', data, '--tenant', 'store-1', '--device', 'till-1', `--expires-in=${lifetime}`]);
      expect(run.exit, lifetime).toBe(2);
      expect(run.stderr, lifetime).toContain(`--expires-in: "${lifetime}" is not a lifetime: expected a positive whole number and a unit s, m, h, d, w or y`);
    }
    expect((await equinox(['cloud', 'token', '--data', data, '--tenant', 'store-1', '--device', 'till-1', '--expires-in', '12h', '--json'])).exit).toBe(0);
  });

  it('refuses a tenant or device id the cloud could not take, naming the flag and the rule', async () => {
    const data = cloudData();
    const empty = await runEquinox(['cloud', 'token', '--data', data, '--tenant', '', '--device', 'till-1']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('--tenant: "" is not a valid tenant id: letters, digits, ".", "_", ":" or "-", 1 to 128 of them');

    const dir = tempDir('cli-usage-tenant');
    const file = join(dir, 'till.json');
    const spaced = await runEquinox(['init', '--config', file, '--tenant', 'a b/c', '--db', join(dir, 'till.db'), '--url', 'http://127.0.0.1:9', '--key', 'k']);
    expect(spaced.code).toBe(2);
    expect(spaced.stderr).toContain('--tenant: "a b/c" is not a valid tenant id: letters, digits');
    const device = await runEquinox(['init', '--config', file, '--tenant', 'store-1', '--device', 'till/1', '--db', join(dir, 'till.db'), '--url', 'http://127.0.0.1:9', '--key', 'k']);
    expect(device.code).toBe(2);
    expect(device.stderr).toContain('--device: "till/1" is not a valid device id: letters, digits, ".", "_", ":" or "-", 1 to 64 of them');
    // The ids existing tills use go through.
    const ok = await runEquinox(['init', '--config', file, '--tenant', 'store-1.eu:north', '--device', 'till-1', '--db', join(dir, 'till.db'), '--url', 'http://127.0.0.1:9', '--key', 'k']);
    expect(ok.code).toBe(0);
  });
});

describe('equinox config errors, for people', () => {
  it('shows every problem of a bad config, as --json does', async () => {
    const file = join(tempDir('cli-config-errors'), 'equinox.config.json');
    writeFileSync(file, JSON.stringify({ tenantId: 'a b', deviceId: 'till 1', dbPath: 'x.db', supabase: { url: 'not a url', key: 'k' } }));
    const human = await equinox(['status', '--config', file]);
    expect(human.exit).toBe(1);
    const lines = human.stderr.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^Error: .*equinox\.config\.json: tenantId = "a b": letters, digits/);
    expect(lines[1]).toMatch(/equinox\.config\.json: deviceId = "till 1": letters, digits/);
    expect(lines[2]).toMatch(/equinox\.config\.json: supabase\.url = "not a url": expected a URL/);
    const json = await equinox(['status', '--config', file, '--json']);
    expect((json.json as { error: { problems: unknown[] } }).error.problems).toHaveLength(3);
  });

  it('with no config at all, says where it looked and to run equinox init', async () => {
    const cwd = tempDir('cli-no-config');
    const run = await runEquinox(['status'], { cwd, env: cleanEnv() });
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain(`"${join(cwd, 'equinox.config.json')}": no config file here, and no EQUINOX_* variables set; write one with "equinox init"`);
    expect(run.stderr).not.toContain('is required');
  });
});
