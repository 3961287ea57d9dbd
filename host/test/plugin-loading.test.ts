import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@equinox-sync/core/testing';
import { describe, expect, it } from 'vitest';
import { createHost, discoverPlugins, HOST_VERSION, type InlinePlugin } from '../src/index.js';
import { EXAMPLE_PLUGIN_DIR, memoryLogger, offlineConfig, pluginPackage, writePlugin } from './host-kit.js';

const ACTIVATE = 'export function activate(context) { context.logger.info("up"); }\n';

describe('plugin loading', () => {
  it('loads the enabled built-ins and a plugin named by path, and activates each', async () => {
    const host = await createHost({ config: offlineConfig(tempDir('load'), [EXAMPLE_PLUGIN_DIR], true), logger: memoryLogger() });
    try {
      expect(host.plugins().map(({ name, version, state, tables }) => ({ name, version, state, tables }))).toEqual([
        { name: '@equinox-sync/plugin-fiscal', version: '0.1.0', state: 'active', tables: ['invoices'] },
        { name: '@equinox-sync/plugin-inventory', version: '0.1.0', state: 'active', tables: ['products', 'stock_movements'] },
        { name: '@equinox-sync/plugin-settings', version: '0.1.0', state: 'active', tables: ['settings', 'licenses'] },
        { name: '@acme/equinox-clients', version: '1.0.0', state: 'active', tables: ['clients'] },
      ]);
      // The fiscal module's cloud SQL joins its definition, for `compileServerSchema`.
      expect(host.definitions()[0]?.serverSql).toContain('public.invoices');
    } finally {
      await host.dispose();
    }
  });

  it('refuses a bad manifest, naming the plugin and the field, and runs without it', async () => {
    const root = tempDir('plugins');
    const bad = pluginPackage('bad-columns', 'bad_notes', {
      contributes: { tables: [{ name: 'bad_notes', columns: { body: { type: 'varchar' } }, strategy: 'LastWriteWins' }] },
    });
    const dir = writePlugin(root, 'bad-columns', bad, 'throw new Error("the module must not even be imported");\n');
    const missing = writePlugin(root, 'no-manifest', { name: 'not-a-plugin', version: '1.0.0' });
    const logger = memoryLogger();
    const host = await createHost({ config: offlineConfig(root, [dir, missing, EXAMPLE_PLUGIN_DIR]), logger });
    try {
      const [badInfo, missingInfo, clients] = host.plugins();
      expect(badInfo).toMatchObject({ name: 'bad-columns', version: undefined, state: 'failed', tables: [] });
      expect(badInfo?.error).toBe(
        `${dir}/package.json: plugin "bad-columns" table "bad_notes", field "columns.body.type": must be one of text, integer, real, boolean, json, timestamp`,
      );
      expect(missingInfo?.error).toBe(`${missing}/package.json: plugin "not-a-plugin", field "equinox": is required: this package is not an equinox plugin`);
      expect(clients).toMatchObject({ name: '@acme/equinox-clients', state: 'active' });
      expect(logger.lines.filter((line) => line.startsWith('error:'))).toHaveLength(2);
      expect(() => host.store('bad-columns')).toThrow(/not active: .*columns\.body\.type/);
    } finally {
      await host.dispose();
    }
  });

  it('refuses a plugin whose engines.equinox range excludes this host', async () => {
    const root = tempDir('plugins');
    const future = writePlugin(root, 'future', pluginPackage('from-the-future', 'future_notes', { engines: { equinox: '^2.0.0' } }), ACTIVATE);
    const host = await createHost({ config: offlineConfig(root, [future]), logger: memoryLogger() });
    try {
      expect(host.plugins()).toEqual([
        expect.objectContaining({
          name: 'from-the-future',
          version: '1.0.0',
          state: 'failed',
          tables: ['future_notes'],
          error: `plugin "from-the-future": requires equinox "^2.0.0" (equinox.engines.equinox), but this host is ${HOST_VERSION}`,
        }),
      ]);
    } finally {
      await host.dispose();
    }
  });

  it('refuses a package that cannot be found, one whose module fails, and a second owner of a table', async () => {
    const root = tempDir('plugins');
    const broken = writePlugin(root, 'broken', pluginPackage('broken-module', 'broken_notes'), 'import "./missing.js";\n');
    const noActivate = writePlugin(root, 'no-activate', pluginPackage('no-activate', 'quiet_notes'), 'export const x = 1;\n');
    const twin = writePlugin(root, 'twin', pluginPackage('clients-twin', 'clients'), ACTIVATE);
    const host = await createHost({ config: offlineConfig(root, ['@acme/not-installed', broken, noActivate, EXAMPLE_PLUGIN_DIR, twin]), logger: memoryLogger() });
    try {
      const errors = Object.fromEntries(host.plugins().map((plugin) => [plugin.name, plugin.error]));
      expect(errors['@acme/not-installed']).toBe(`plugin "@acme/not-installed": package not found from ${process.cwd()}; is it installed?`);
      expect(errors['broken-module']).toMatch(/^plugin "broken-module": its main module .*index\.js failed to load: Cannot find module/);
      expect(errors['no-activate']).toMatch(/^plugin "no-activate": its main module .*index\.js does not export activate\(context\)$/);
      expect(errors['clients-twin']).toBe('plugin "clients-twin" table "clients", field "name": table "clients" is already declared by plugin "@acme/equinox-clients"');
      expect(errors['@acme/equinox-clients']).toBeUndefined();
    } finally {
      await host.dispose();
    }
  });

  it('gives activate a context scoped to the plugin, and disposes it on deactivate', async () => {
    const events: string[] = [];
    let seen: Parameters<NonNullable<InlinePlugin['module']>['activate']>[0] | undefined;
    const notes: InlinePlugin = {
      packageJson: pluginPackage('notes', 'notes'),
      module: {
        activate(context) {
          seen = context;
          context.subscriptions.push({ dispose: () => events.push('subscription disposed') });
          context.hooks.register({ tables: ['notes'], validate: () => undefined }); // not pushed: the host still removes it
          expect(() => context.hooks.registerResolver('clients', () => ({ pick: 'local' }))).toThrow(/only for its own tables \(notes\), not "clients"/);
          context.store.insert('notes', { body: 'written while activating' });
          expect(() => context.store.insert('clients', { name: 'x' })).toThrow(/clients/);
          context.logger.info('hello');
        },
        deactivate: () => void events.push('deactivated'),
      },
    };
    const logger = memoryLogger();
    const host = await createHost({ config: offlineConfig(tempDir('context'), [EXAMPLE_PLUGIN_DIR]), plugins: [notes], logger });
    expect(seen?.plugin).toEqual({ name: 'notes', version: '1.0.0', dir: undefined });
    expect(logger.lines).toContain('info: plugin "notes": hello');
    expect(host.store('notes').query('notes').map((row) => row.body)).toEqual(['written while activating']);
    await host.dispose();
    await host.dispose();
    expect(events).toEqual(['deactivated', 'subscription disposed']);
  });
});

describe('discoverPlugins', () => {
  it('lists what a host would load without opening the database or activating anything', async () => {
    const dir = tempDir('discover');
    const activated: string[] = [];
    const { plugins, definitions } = await discoverPlugins({
      config: offlineConfig(dir, [EXAMPLE_PLUGIN_DIR, '@acme/not-installed'], true),
      plugins: [{ packageJson: pluginPackage('inline', 'inline_notes'), module: { activate: () => void activated.push('inline') } }],
      logger: memoryLogger(),
    });
    expect(plugins.map((plugin) => [plugin.name, plugin.state])).toEqual([
      ['@equinox-sync/plugin-fiscal', 'active'],
      ['@equinox-sync/plugin-inventory', 'active'],
      ['@equinox-sync/plugin-settings', 'active'],
      ['@acme/equinox-clients', 'active'],
      ['@acme/not-installed', 'failed'],
      ['inline', 'active'],
    ]);
    expect(definitions.map((definition) => definition.name)).toEqual(plugins.filter((p) => p.state === 'active').map((p) => p.name));
    expect(activated).toEqual([]);
    expect(existsSync(join(dir, 'till-1.db'))).toBe(false);
  });
});
