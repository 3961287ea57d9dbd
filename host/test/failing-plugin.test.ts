import { installCloudSchema, syncUntil, tempDir, uniqueTenant } from '@equinox-sync/core/testing';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { clientsPlugin } from '../../examples/plugin-clients/index.js';
import { createHost } from '../src/index.js';
import { deviceConfig, EXAMPLE_PLUGIN_DIR, memoryLogger, pluginPackage, writePlugin } from './host-kit.js';

const cloud = inject('cloud');

describe('a plugin that throws in activate', () => {
  beforeAll(() => installCloudSchema([clientsPlugin]));

  it('is left out, its tables unsynced, while the other plugins sync', async () => {
    const root = tempDir('failing');
    // It writes a row, then throws: the row must never be uploaded (its table is not even in the cloud).
    const failing = writePlugin(
      root,
      'failing',
      pluginPackage('failing-plugin', 'failing_notes'),
      `export function activate(context) {
  context.store.insert('failing_notes', { body: 'never uploaded' });
  context.subscriptions.push({ dispose() { globalThis.failingDisposed = true; } });
  throw new Error('boom');
}\n`,
    );
    const tenant = uniqueTenant('failing');
    const logger = memoryLogger();
    const tillA = await createHost({ config: await deviceConfig(cloud, { tenant, device: 'till-a', dir: root, plugins: [failing, EXAMPLE_PLUGIN_DIR] }), logger });
    const tillB = await createHost({ config: await deviceConfig(cloud, { tenant, device: 'till-b', dir: root, plugins: [EXAMPLE_PLUGIN_DIR] }), logger: memoryLogger() });
    try {
      expect(tillA.plugins().map(({ name, state, error }) => ({ name, state, error }))).toEqual([
        { name: 'failing-plugin', state: 'failed', error: 'activate failed: boom' },
        { name: '@acme/equinox-clients', state: 'active', error: undefined },
      ]);
      expect(logger.lines).toContain('error: plugin "failing-plugin" left out: activate failed: boom');
      expect((globalThis as { failingDisposed?: boolean }).failingDisposed).toBe(true);
      expect(tillA.definitions().map((plugin) => plugin.name)).toEqual(['@acme/equinox-clients']);
      expect(() => tillA.store('failing-plugin')).toThrow(/not active: activate failed: boom/);

      const { id } = tillA.store('@acme/equinox-clients').insert('clients', { name: 'Ada', email: 'ada@example.com' });
      const result = await tillA.syncNow();
      expect(result).toMatchObject({ uploaded: 1, rejected: 0, error: null, offline: false });

      const clientsB = tillB.store('@acme/equinox-clients');
      await syncUntil(tillB, () => clientsB.get('clients', id as string) !== undefined);
      expect(clientsB.get('clients', id as string)).toMatchObject({ name: 'Ada', email: 'ada@example.com' });
    } finally {
      await tillA.dispose();
      await tillB.dispose();
    }
  });
});
