import { coreModule, LocalStore, pluginApi, RemoteStore, SyncEngine, SyncHooks } from '@equinox-sync/core';
import type { PluginContext } from '@equinox-sync/core/plugin';
import { Container } from 'inversify';
import { tempDir } from '@equinox-sync/core/testing';
import { describe, expect, it } from 'vitest';
import {
  createHost,
  ExtraPlugins,
  HostConfig,
  HostContainer,
  HostLogger,
  hostModule,
  HostService,
  resolveHostConfig,
  type EquinoxHost,
  type InlinePlugin,
} from '../src/index.js';
import { memoryLogger, offlineConfig, pluginPackage } from './host-kit.js';

interface GreeterApi {
  greet(name: string): string;
}
const GreeterApi = pluginApi<GreeterApi>('greeter');

/** A plugin given in code with one table of its own (`<name>_notes`). */
function inline(name: string, activate: (context: PluginContext) => unknown, equinox: object = {}): InlinePlugin {
  return { packageJson: pluginPackage(name, `${name}_notes`, equinox), module: { activate } };
}

const greeter = inline('greeter', () => ({ greet: (name: string) => `hello ${name}` }) satisfies GreeterApi);

/** A host (no cloud needed) with `plugins` given in code, and the context `probe` was activated with. */
async function hostWith(plugins: InlinePlugin[]): Promise<{ host: EquinoxHost; probe: PluginContext }> {
  let probe: PluginContext | undefined;
  const host = await createHost({
    config: offlineConfig(tempDir('context')),
    plugins: [...plugins, inline('probe', (context) => void (probe = context))],
    logger: memoryLogger(),
  });
  if (probe === undefined) throw new Error('the probe plugin was not activated');
  return { host, probe };
}

describe('the plugin context', () => {
  it('gives the plugin a container of its own with none of the host bindings', async () => {
    const { host, probe } = await hostWith([]);
    try {
      for (const token of [LocalStore, SyncEngine, RemoteStore, SyncHooks]) {
        expect(() => probe.container.get(token)).toThrow(/No bindings found/);
      }
      probe.container.bind('greeting').toConstantValue('hello');
      expect(probe.container.get('greeting')).toBe('hello');
    } finally {
      await host.dispose();
    }
  });

  it('offers register-only hooks: no way to read what other plugins registered', async () => {
    const { host, probe } = await hostWith([]);
    try {
      expect(Object.keys(probe.hooks).sort()).toEqual(['register', 'registerResolver']);
      expect('hooksFor' in probe.hooks).toBe(false);
      expect('resolverFor' in probe.hooks).toBe(false);
      // Nothing behind the two functions either: no prototype or field leading to the registry.
      expect(Object.getPrototypeOf(probe.hooks)).toBe(Object.prototype);
      expect(Object.isFrozen(probe.hooks)).toBe(true);
      probe.hooks.register({ tables: ['probe_notes'], validate: () => undefined }).dispose();
      probe.hooks.registerResolver('probe_notes', () => ({ pick: 'local' })).dispose();
      expect(() => probe.hooks.registerResolver('greeter_notes', () => ({ pick: 'local' }))).toThrow(/only for its own tables \(probe_notes\), not "greeter_notes"/);
    } finally {
      await host.dispose();
    }
  });

  it('removes what a plugin registered when it deactivates or fails, pushed into subscriptions or not', async () => {
    // Wired by hand, as an embedder may, to see the host's own registry.
    const container = new Container();
    container.bind(HostConfig).toConstantValue(resolveHostConfig(offlineConfig(tempDir('hooks'))));
    container.bind(HostContainer).toConstantValue(container);
    container.bind(HostLogger).toConstantValue(memoryLogger());
    container.bind(ExtraPlugins).toConstantValue([
      inline('keeper', (context) => {
        context.hooks.register({ tables: ['keeper_notes'], validate: () => undefined });
        context.hooks.registerResolver('keeper_notes', () => ({ pick: 'remote' }));
      }),
      inline('quitter', (context) => {
        context.hooks.register({ tables: ['quitter_notes'], validate: () => 'never' });
        throw new Error('gave up');
      }),
    ]);
    await container.load(coreModule, hostModule);
    const host = container.get(HostService);
    await host.boot();
    const registry = container.get<SyncHooks>(SyncHooks);
    expect(host.plugins().map((plugin) => [plugin.name, plugin.state])).toEqual([['keeper', 'active'], ['quitter', 'failed']]);
    expect(registry.hooksFor('keeper_notes')).toHaveLength(1);
    expect(registry.resolverFor('keeper_notes')).toBeDefined();
    expect(registry.hooksFor('quitter_notes')).toHaveLength(0);
    await host.dispose();
    expect(registry.hooksFor()).toHaveLength(0);
    expect(registry.resolverFor('keeper_notes')).toBeUndefined();
  });

  it("reaches another active plugin's API by its token", async () => {
    let greetedWhileActivating: string | undefined;
    const fan = inline('fan', (context) => void (greetedWhileActivating = context.api(GreeterApi).greet('Ada')));
    const { host, probe } = await hostWith([greeter, fan]);
    try {
      expect(greetedWhileActivating).toBe('hello Ada');
      const api: GreeterApi = probe.api(GreeterApi);
      expect(api).toBe(host.api(GreeterApi));
      expect(api.greet('Grace')).toBe('hello Grace');
    } finally {
      await host.dispose();
    }
  });

  it('names the plugin whose API cannot be had, and why', async () => {
    let tooEarly: unknown;
    const early = inline('early', (context) => {
      try {
        context.api(GreeterApi);
      } catch (error) {
        tooEarly = error;
      }
    });
    const silent = inline('silent', () => undefined);
    const broken = inline('broken', () => {
      throw new Error('no luck');
    });
    const lazy = inline('lazy', () => ({}), { activationEvents: ['onCommand:lazy run'] });
    const { host, probe } = await hostWith([early, greeter, silent, broken, lazy]);
    try {
      expect(String(tooEarly)).toMatch(/plugin "greeter" is not active yet/);
      expect(() => probe.api(pluginApi('missing'))).toThrow('no plugin "missing" is loaded');
      expect(() => probe.api(pluginApi('silent'))).toThrow('plugin "silent" offers no API (its activate returned nothing)');
      expect(() => probe.api(pluginApi('broken'))).toThrow('plugin "broken" is not active: activate failed: no luck');
      expect(() => probe.api(pluginApi('lazy'))).toThrow(/plugin "lazy" is not active: it activates on onCommand:lazy run/);
      expect(probe.api(GreeterApi).greet('Ada')).toBe('hello Ada');
    } finally {
      await host.dispose();
    }
  });
});
