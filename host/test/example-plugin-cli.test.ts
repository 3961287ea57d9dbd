import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@equinox-sync/core/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { EXAMPLE_PLUGIN_DIR, offlineConfig, runEquinox, type ProcessRun } from './host-kit.js';

/** Runs `equinox ...args` as a real process in `cwd`, with no EQUINOX_* variable but those given. */
function equinox(args: string[], cwd: string, env: Record<string, string> = {}): Promise<ProcessRun> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('EQUINOX_')));
  return runEquinox(args, { cwd, env: { ...clean, ...env } });
}

/** The lines of `stderr` that name `text`. */
function linesNaming(stderr: string, text: string): string[] {
  return stderr.split('\n').filter((line) => line.includes(text));
}

describe('the example clients plugin from the command line, loaded from a config', () => {
  let dir: string;
  let config: string;

  beforeEach(() => {
    dir = tempDir('clients-cli');
    config = join(dir, 'till.json');
    writeFileSync(config, JSON.stringify(offlineConfig(dir, [EXAMPLE_PLUGIN_DIR])));
  });

  it('adds its topic and commands to equinox --help', async () => {
    const help = await equinox(['--help', '--config', config], dir);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^ {2}clients +The clients on this device: list, add, edit and remove them$/m);
    // The config found as commands find it: EQUINOX_CONFIG, then ./equinox.config.json.
    expect((await equinox(['--help'], dir, { EQUINOX_CONFIG: config })).stdout).toContain('The clients on this device');
    writeFileSync(join(dir, 'equinox.config.json'), JSON.stringify(offlineConfig(dir, [EXAMPLE_PLUGIN_DIR])));
    const topic = await equinox(['clients', '--help'], dir);
    expect(topic.stdout).toContain('clients add     Add a client on this device; it syncs with the next run.');
    expect(topic.stdout).toContain('clients list    List the clients on this device, by name.');
  });

  it('clients add then clients list: the client is on the device, as JSON and for people', async () => {
    const added = await equinox(['clients', 'add', '--name', 'Ada', '--json', '--config', config], dir);
    expect(added.code).toBe(0);
    const ada = JSON.parse(added.stdout) as { id: string };
    expect(ada).toEqual({ id: expect.any(String), name: 'Ada', tax_id: null, email: null, phone: null });
    const grace = await equinox(['clients', 'add', '--name', 'Grace', '--email', 'grace@example.com', '--tax-id', 'B1', '--config', config], dir);
    expect(grace.code).toBe(0);
    expect(grace.stdout).toMatch(/^Added client Grace \([0-9a-f-]{36}\)\.$/m);

    const listed = await equinox(['clients', 'list', '--json', '--config', config], dir);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([ada, { id: expect.any(String), name: 'Grace', tax_id: 'B1', email: 'grace@example.com', phone: null }]);
    const table = await equinox(['clients', 'list', '--config', config], dir);
    expect(table.stdout).toContain('grace@example.com');
    expect(table.stdout).toContain(ada.id);
  });

  it('exits 2 with a usage message on bad input, and adds nothing', async () => {
    const missing = await equinox(['clients', 'add', '--config', config], dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("Error: missing --name (The client's name)");
    expect(missing.stderr).toContain('See more help with --help');
    const badEmail = await equinox(['clients', 'add', '--name', 'Bob', '--email', 'bob-at-example', '--config', config], dir);
    expect(badEmail.code).toBe(2);
    expect(badEmail.stderr).toContain('email "bob-at-example" is not valid');
    expect(badEmail.stderr).toContain('See more help with --help');
    expect((await equinox(['clients', 'add', '--name', 'Bob', '--shoe-size', '44', '--config', config], dir)).code).toBe(2);
    expect(JSON.parse((await equinox(['clients', 'list', '--json', '--config', config], dir)).stdout)).toEqual([]);
  });

  it('without the plugin in the config, its commands do not exist', async () => {
    writeFileSync(config, JSON.stringify(offlineConfig(dir)));
    const run = await equinox(['clients', 'list', '--config', config], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('command clients:list not found');
    expect((await equinox(['--help', '--config', config], dir)).stdout).not.toContain('The clients on this device');
  });

  it('reports a listed plugin that cannot be found once, runs without it, and plugins list shows it failed', async () => {
    writeFileSync(config, JSON.stringify(offlineConfig(dir, [EXAMPLE_PLUGIN_DIR, '@acme/not-installed'])));
    const help = await equinox(['--help', '--config', config], dir);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('The clients on this device');
    expect(linesNaming(help.stderr, '@acme/not-installed')).toEqual([`equinox: warn: commands left out: plugin "@acme/not-installed": package not found from ${dir}; is it installed?`]);

    const listed = await equinox(['plugins', 'list', '--json', '--config', config], dir);
    expect(listed.code).toBe(0);
    expect(linesNaming(listed.stderr, '@acme/not-installed')).toHaveLength(1);
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({ name: '@acme/equinox-clients', displayName: 'Clients', state: 'active' }),
      expect.objectContaining({ name: '@acme/not-installed', state: 'failed', error: `plugin "@acme/not-installed": package not found from ${dir}; is it installed?` }),
    ]);
    expect((await equinox(['clients', 'add', '--name', 'Ada', '--config', config], dir)).code).toBe(0);
  });

  it('a config with a bad value still lists its plugins\' commands, which report the config error; one that is not JSON adds none', async () => {
    writeFileSync(config, JSON.stringify({ ...offlineConfig(dir, [EXAMPLE_PLUGIN_DIR]), sync: { batchSize: 'lots' } }));
    const bad = await equinox(['clients', 'list', '--config', config], dir);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe(`Error: ${config}: sync.batchSize = "lots": expected a number\n`);

    writeFileSync(config, '{ "plugins": [');
    const help = await equinox(['--help', '--config', config], dir);
    expect(help.code).toBe(0);
    expect(help.stdout).not.toContain('The clients on this device');
    const status = await equinox(['status', '--config', config], dir);
    expect(status.code).toBe(1);
    expect(status.stderr).toMatch(new RegExp(`^Error: ${config}: \\(file\\) = \\(not JSON\\): .+\n$`));
  });
});
