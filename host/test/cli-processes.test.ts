import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { BUILTIN_PLUGINS, deviceConfig, installCloudSchema, tempDir, uniqueTenant } from './host-kit.js';

const bin = fileURLToPath(new URL('../bin/run.js', import.meta.url));
const cloud = inject('cloud');

/** Runs `equinox ...args` as a real process; `onLine` sees each stdout line and may signal it. */
function equinox(args: string[], onLine: (line: string, child: ReturnType<typeof spawn>) => void): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let pending = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) onLine(line, child);
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('long-running commands', () => {
  beforeAll(async () => {
    await installCloudSchema(cloud, BUILTIN_PLUGINS);
  });

  it('watch syncs, and on SIGTERM finishes, closes the database and exits 0', async () => {
    const dir = tempDir('cli-watch');
    const file = join(dir, 'equinox.config.json');
    writeFileSync(file, JSON.stringify(await deviceConfig(cloud, { tenant: uniqueTenant('watch'), device: 'till', dir, builtins: true })));
    const runs: unknown[] = [];
    const { code } = await equinox(['watch', '--config', file, '--json'], (line, child) => {
      runs.push(JSON.parse(line));
      if (runs.length === 1) child.kill('SIGTERM');
    });
    expect(code).toBe(0);
    expect(runs[0]).toMatchObject({ trigger: 'back-online', error: null });
    expect(runs.at(-1)).toEqual({ stopped: true, signal: 'SIGTERM', runs: runs.length - 1 });
  });

  it('cloud start prints its coordinates first, cloud stop ends it', async () => {
    const data = join(tempDir('cli-cloud'), 'cloud');
    let stopped: Promise<unknown> | undefined;
    const { code, stdout } = await equinox(['cloud', 'start', '--data', data, '--json'], (line) => {
      if (stopped) return;
      const ready = JSON.parse(line) as { url: string; anonKey: string; dataDir: string };
      expect(ready.dataDir).toBe(data);
      stopped = equinox(['cloud', 'stop', '--data', data, '--json'], () => undefined);
    });
    expect(code === 0 || code === 130 || code === 143).toBe(true);
    const ready = JSON.parse(stdout.split('\n')[0] ?? '{}') as { url: string };
    expect(ready.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const stop = (await stopped) as { code: number; stdout: string };
    expect(stop.code).toBe(0);
    expect(JSON.parse(stop.stdout)).toEqual({ stopped: true, dataDir: data });
  });
});
