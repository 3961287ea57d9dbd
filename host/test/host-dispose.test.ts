import { fileURLToPath } from 'node:url';
import { installCloudSchema, tempDir, uniqueTenant } from '@equinox-sync/core/testing';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { clientsPlugin } from '../../examples/plugin-clients/index.js';
import { createHost } from '../src/index.js';
import { deviceConfig, EXAMPLE_PLUGIN_DIR, memoryLogger, offlineConfig, startNode, type ProcessRun } from './host-kit.js';

const cloud = inject('cloud');
const CHILD = fileURLToPath(new URL('./fixtures/dispose-child.mjs', import.meta.url));

/** Runs `script` and waits for it to end by itself; after `limitMs` it is killed and reported as stuck. */
async function runToEnd(script: string, env: NodeJS.ProcessEnv, limitMs: number): Promise<ProcessRun & { stuck: boolean }> {
  const { child, exited } = startNode(script, [], { env: { ...process.env, ...env } });
  let stuck = false;
  const timer = setTimeout(() => {
    stuck = true;
    child.kill('SIGKILL');
  }, limitMs);
  try {
    return { ...(await exited), stuck };
  } finally {
    clearTimeout(timer);
  }
}

describe('host lifecycle', () => {
  beforeAll(() => installCloudSchema([clientsPlugin]));

  it('releases everything on dispose: a process that ran a host ends by itself', async () => {
    const config = await deviceConfig(cloud, { tenant: uniqueTenant('dispose'), device: 'till-a', dir: tempDir('dispose'), plugins: [EXAMPLE_PLUGIN_DIR] });
    const run = await runToEnd(CHILD, { EQUINOX_TEST_CONFIG: JSON.stringify(config) }, 20_000);
    expect(run.stderr).toBe('');
    expect(run.stuck).toBe(false);
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')).toEqual(['{"uploaded":1,"error":null}', 'status completed', 'disposed', '']);
  });

  it('makes start() and dispose() idempotent and refuses use after dispose', async () => {
    const host = await createHost({ config: offlineConfig(tempDir('lifecycle'), [EXAMPLE_PLUGIN_DIR]), logger: memoryLogger() });
    await host.start();
    await host.start();
    let completed = false;
    host.status$.subscribe({ complete: () => (completed = true) });
    await Promise.all([host.dispose(), host.dispose()]);
    await host.dispose();
    expect(completed).toBe(true);
    await expect(host.start()).rejects.toThrow('the host is disposed');
    expect(() => host.store('@acme/equinox-clients')).toThrow('the host is disposed');
    expect(() => host.conflicts.list()).toThrow('the host is disposed');
  });

  it('releases the database when booting fails for a reason that is not one plugin', async () => {
    const dir = tempDir('boot');
    const first = await createHost({ config: offlineConfig(dir), logger: memoryLogger() });
    await first.dispose();
    // The file is bound to its tenant: another tenant is refused, and the host does not half-start.
    await expect(createHost({ config: { ...offlineConfig(dir), tenantId: 'another-tenant' }, logger: memoryLogger() })).rejects.toThrow(/tenant/);
    const again = await createHost({ config: offlineConfig(dir), logger: memoryLogger() });
    await again.dispose();
  });
});
