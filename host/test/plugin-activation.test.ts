import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { definePlugin } from '@equinox-sync/core';
import { disposeAfterTest, installCloudSchema, syncUntil, tempDir, uniqueName, uniqueTenant } from '@equinox-sync/core/testing';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createHost, type EquinoxHost, type InlinePlugin } from '../src/index.js';
import { deviceConfig, equinox, memoryLogger, offlineConfig, pluginPackage, writePlugin } from './host-kit.js';

const cloud = inject('cloud');

/** A plugin activated only by `equinox notes add`; its API says it ran. */
const LAZY = 'lazy-notes';
const LAZY_TABLE = 'lazy_notes';
const lazyPackage = pluginPackage(LAZY, LAZY_TABLE, { activationEvents: ['onCommand:notes add'] });

function lazyPlugin(activated: string[]): InlinePlugin {
  return { packageJson: lazyPackage, module: { activate: () => (activated.push(LAZY), { ping: () => 'pong' }) } };
}

describe('onCommand activation', () => {
  async function open(options: Parameters<typeof createHost>[0]): Promise<EquinoxHost> {
    return disposeAfterTest(await createHost({ logger: memoryLogger(), ...options }));
  }

  it('leaves a plugin with only onCommand:<id> inactive in a host opened for no command or another one, its tables open', async () => {
    const activated: string[] = [];
    for (const command of [undefined, 'sync', 'notes:list']) {
      const host = await open({ config: offlineConfig(tempDir('lazy')), plugins: [lazyPlugin(activated)], ...(command === undefined ? {} : { command }) });
      expect(host.plugins()).toEqual([expect.objectContaining({ name: LAZY, state: 'inactive', activationEvents: ['onCommand:notes add'], tables: [LAZY_TABLE] })]);
      expect(() => host.api(LAZY)).toThrow(`plugin "${LAZY}" is not active: it activates on onCommand:notes add, and this host was opened ${command === undefined ? 'for no command' : `for the command "${command.replace(':', ' ')}"`}`);
      // Declarations are data: its table is there to write and read.
      host.store(LAZY).insert(LAZY_TABLE, { body: 'kept while inactive' });
      expect(host.store(LAZY).query(LAZY_TABLE).map((row) => row.body)).toEqual(['kept while inactive']);
      expect(host.definitions().map((definition) => definition.name)).toEqual([LAZY]);
    }
    expect(activated).toEqual([]);
  });

  it('activates it in a host opened for its command, written with spaces or colons', async () => {
    const activated: string[] = [];
    for (const command of ['notes add', 'notes:add']) {
      const host = await open({ config: offlineConfig(tempDir('lazy')), plugins: [lazyPlugin(activated)], command });
      expect(host.plugins()).toEqual([expect.objectContaining({ name: LAZY, state: 'active' })]);
      expect(host.api<{ ping(): string }>(LAZY).ping()).toBe('pong');
    }
    expect(activated).toEqual([LAZY, LAZY]);
  });

  it('activates an onStartup plugin whatever the command, and a plugin with both events on startup', async () => {
    const both: InlinePlugin = { packageJson: pluginPackage('both-notes', 'both_notes', { activationEvents: ['onCommand:notes add', 'onStartup'] }), module: { activate: () => ({}) } };
    const host = await open({ config: offlineConfig(tempDir('lazy'), []), plugins: [both, { packageJson: pluginPackage('default-notes', 'default_notes'), module: { activate: () => ({}) } }], command: 'status' });
    expect(host.plugins().map((plugin) => [plugin.name, plugin.state])).toEqual([
      ['both-notes', 'active'],
      ['default-notes', 'active'],
    ]);
  });

  it('syncs an inactive plugin\'s table like any other', async () => {
    const tenant = uniqueTenant('lazy-sync');
    const table = uniqueName('lazy_sync');
    const packageJson = pluginPackage('lazy-sync', table, { activationEvents: ['onCommand:notes add'] });
    await installCloudSchema([definePlugin({ name: 'lazy-sync', version: '1.0.0', tables: [{ name: table, columns: { body: { type: 'text' } }, strategy: 'LastWriteWins' }] })]);
    const dir = tempDir('lazy-sync');
    const plugin: InlinePlugin = { packageJson, module: { activate: () => ({}) } };
    const tillA = await open({ config: await deviceConfig(cloud, { tenant, device: 'till-a', dir }), plugins: [plugin] });
    const tillB = await open({ config: await deviceConfig(cloud, { tenant, device: 'till-b', dir }), plugins: [plugin] });
    expect([tillA, tillB].map((host) => host.plugins()[0]?.state)).toEqual(['inactive', 'inactive']);
    const { id } = tillA.store('lazy-sync').insert(table, { body: 'from till A' });
    expect(await tillA.syncNow()).toMatchObject({ uploaded: 1, error: null });
    await syncUntil(tillB, () => tillB.store('lazy-sync').get(table, String(id)) !== undefined);
    expect(tillB.store('lazy-sync').get(table, String(id))).toMatchObject({ body: 'from till A' });
  });
});

describe('onCommand activation from the command line', () => {
  let config: string;

  beforeAll(() => {
    // A plugin with a command (`notes add`) that activates it: its command file reaches the kit by the host's path, as it lives outside the repository.
    const root = tempDir('lazy-cli');
    const kit = pathToFileURL(join(import.meta.dirname, '..', 'dist', 'command-kit', 'index.js')).href;
    const dir = writePlugin(
      root,
      'notes',
      { ...lazyPackage, oclif: { commands: './commands', topicSeparator: ' ' } },
      'export function activate(context) { return { add: (body) => context.store.insert("lazy_notes", { body }).id }; }\n',
    );
    const commands = join(dir, 'commands', 'notes');
    mkdirSync(commands, { recursive: true });
    writeFileSync(
      join(commands, 'add.js'),
      `import { EquinoxCommand, withHost } from '${kit}';\n` +
        'export default class NotesAdd extends EquinoxCommand {\n' +
        '  static summary = "Add a note.";\n' +
        `  async run() { return withHost(this, (host) => ({ id: host.api('${LAZY}').add('from the command line') })); }\n` +
        '}\n',
    );
    config = join(root, 'equinox.config.json');
    writeFileSync(config, JSON.stringify(offlineConfig(root, [dir])));
  });

  it('the command activates its plugin; plugins list shows it inactive with what activates it', async () => {
    const added = await equinox(['notes', 'add', '--config', config, '--json']);
    expect(added).toMatchObject({ exit: 0, json: { id: expect.any(String) } });

    const listed = await equinox(['plugins', 'list', '--config', config, '--json']);
    expect(listed.json).toEqual([{ name: LAZY, displayName: LAZY, version: '1.0.0', tables: [{ name: LAZY_TABLE, strategy: 'LastWriteWins' }], state: 'inactive', error: null }]);
    const table = await equinox(['plugins', 'list', '--config', config]);
    expect(table.stdout).toContain('inactive (onCommand:notes add)');
  });
});
