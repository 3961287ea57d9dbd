import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { installCloudSchema, tempDir, uniqueTenant } from '@equinox-sync/core/testing';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { BUILTIN_PLUGINS, deviceConfig, runEquinox } from './host-kit.js';

const cloud = inject('cloud');

describe('long-running commands', () => {
  beforeAll(async () => {
    await installCloudSchema(BUILTIN_PLUGINS);
  });

  it('watch syncs, and on SIGTERM finishes, closes the database and exits 0', async () => {
    const dir = tempDir('cli-watch');
    const file = join(dir, 'equinox.config.json');
    writeFileSync(file, JSON.stringify(await deviceConfig(cloud, { tenant: uniqueTenant('watch'), device: 'till', dir, builtins: true })));
    const runs: unknown[] = [];
    const { code } = await runEquinox(['watch', '--config', file, '--json'], {
      onLine: (line, child) => {
        const printed = JSON.parse(line) as { event?: string };
        // Transitions (online, live...) are lines of their own; this test counts the runs and the summary.
        if (printed.event !== undefined && printed.event !== 'run') return;
        runs.push(printed);
        if (runs.length === 1) child.kill('SIGTERM');
      },
    });
    expect(code).toBe(0);
    expect(runs[0]).toMatchObject({ trigger: 'back-online', error: null });
    expect(runs.at(-1)).toEqual({ stopped: true, signal: 'SIGTERM', runs: runs.length - 1 });
  });

  it('cloud start prints its coordinates first, cloud stop ends it', async () => {
    const data = join(tempDir('cli-cloud'), 'cloud');
    let stopped: Promise<unknown> | undefined;
    const { code, stdout } = await runEquinox(['cloud', 'start', '--data', data, '--json'], {
      onLine: (line) => {
        if (stopped) return;
        const ready = JSON.parse(line) as { url: string; anonKey: string; dataDir: string };
        expect(ready.dataDir).toBe(data);
        stopped = runEquinox(['cloud', 'stop', '--data', data, '--json']);
      },
    });
    expect(code === 0 || code === 130 || code === 143).toBe(true);
    const ready = JSON.parse(stdout.split('\n')[0] ?? '{}') as { url: string };
    expect(ready.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const stop = (await stopped) as { code: number; stdout: string };
    expect(stop.code).toBe(0);
    expect(JSON.parse(stop.stdout)).toEqual({ stopped: true, dataDir: data });
  });
});
