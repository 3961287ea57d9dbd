import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, uniqueTenant } from '@equinox-sync/core/testing';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { deviceConfig, equinox } from '../../../host/test/host-kit.js';

const cloud = inject('cloud');

// No sync happens here: the commands read and write the device's own database.
describe('equinox settings get | set | list', () => {
  let config: string;

  beforeAll(async () => {
    const dir = tempDir('cli-settings');
    config = join(dir, 'equinox.config.json');
    writeFileSync(config, JSON.stringify(await deviceConfig(cloud, { tenant: uniqueTenant('cli-settings'), device: 'till', dir, builtins: true })));
  });

  it('set reads VALUE as JSON when it parses, else as text, and prints the setting', async () => {
    const text = await equinox(['settings', 'set', 'currency', 'EUR', '--config', config, '--json']);
    expect(text.exit).toBe(0);
    expect(text.json).toEqual({ key: 'currency', value: 'EUR', scope: 'tenant', deviceId: '', updatedAt: expect.stringMatching(/^\d{13}-\d{6}-till$/) });
    expect((await equinox(['settings', 'set', 'tax', '{"rate":21}', '--config', config, '--json'])).json).toMatchObject({ value: { rate: 21 } });
    expect((await equinox(['settings', 'set', 'copies', '1', '--config', config, '--json'])).json).toMatchObject({ value: 1, scope: 'tenant' });
    const own = await equinox(['settings', 'set', 'copies', '2', '--scope', 'device', '--config', config, '--json']);
    expect(own.json).toMatchObject({ key: 'copies', value: 2, scope: 'device', deviceId: 'till' });
    // (runCommand splits its arguments on spaces, as a shell would without quotes.)
    const human = await equinox(['settings', 'set', 'footer', 'Gracias!', '--config', config]);
    expect(human.stdout.trim()).toBe('Set footer = "Gracias!" (tenant). It uploads with the next sync.');
  });

  it('get prints the value in force, or the given scope\'s, and exits 1 when unset', async () => {
    await equinox(['settings', 'set', 'printer', '{"port":9100}', '--config', config]);
    await equinox(['settings', 'set', 'printer', '{"port":9200}', '--scope', 'device', '--config', config]);
    expect((await equinox(['settings', 'get', 'printer', '--config', config, '--json'])).json).toEqual({
      key: 'printer',
      value: { port: 9200 },
      scope: 'device',
      deviceId: 'till',
      updatedAt: expect.any(String),
    });
    expect((await equinox(['settings', 'get', 'printer', '--scope', 'tenant', '--config', config, '--json'])).json).toMatchObject({ value: { port: 9100 }, scope: 'tenant' });
    expect((await equinox(['settings', 'get', 'printer', '--scope', 'tenant', '--config', config])).stdout.trim()).toBe('{"port":9100}');

    const missing = await equinox(['settings', 'get', 'nothing.here', '--config', config]);
    expect(missing.exit).toBe(1);
    expect(missing.stderr.trim()).toBe('Error: no setting "nothing.here"');
    const missingJson = await equinox(['settings', 'get', 'nothing.here', '--scope', 'device', '--config', config, '--json']);
    expect(missingJson.exit).toBe(1);
    expect(missingJson.json).toMatchObject({ error: { message: 'no setting "nothing.here" for the device' } });
  });

  it('list prints the tenant\'s settings and this device\'s own', async () => {
    await equinox(['settings', 'set', 'list.a', 'x', '--config', config]);
    const { json, exit } = await equinox(['settings', 'list', '--config', config, '--json']);
    expect(exit).toBe(0);
    const settings = json as { key: string; scope: string; value: unknown; deviceId: string; updatedAt: string }[];
    expect(settings).toContainEqual({ key: 'list.a', value: 'x', scope: 'tenant', deviceId: '', updatedAt: expect.any(String) });
    expect(settings.filter((s) => s.key === 'printer').map((s) => s.scope)).toEqual(['device', 'tenant']);
    expect((await equinox(['settings', 'list', '--config', config])).stdout).toMatch(/list\.a\s+│\s+tenant\s+│\s+"x"/);
  });

  it('exits 2 on a bad flag or a missing argument, and 1 in one line on a refused write', async () => {
    expect((await equinox(['settings', 'get', 'printer', '--scope', 'planet', '--config', config])).exit).toBe(2);
    expect((await equinox(['settings', 'list', '--no-such-flag', '--config', config])).exit).toBe(2);
    expect((await equinox(['settings', 'set', 'only-a-key', '--config', config])).exit).toBe(2);
    const reserved = await equinox(['settings', 'set', 'licence.required', 'false', '--config', config]);
    expect(reserved.exit).toBe(1);
    expect(reserved.stderr.trim()).toBe('Error: setting "licence.required" is reserved: only the back office sets it, in the cloud');
    const noConfig = await equinox(['settings', 'list', '--config', '/nonexistent/equinox.json', '--json']);
    expect(noConfig.exit).toBe(1);
  });
});
