import { coreModule, RemoteStore, SyncMeterProvider, type PluginDefinition, type SyncOptions } from '@equinox-sync/core';
import { Container } from 'inversify';
import { hostModule } from './host-module.js';
import type { EquinoxHost } from './host/equinox-host.js';
import { HostConfig } from './host/host-config.js';
import { HostContainer } from './host/host-container.js';
import { consoleLogger, HostLogger } from './host/host-logger.js';
import { HostService } from './host/host-service.js';
import { resolveHostConfig, type HostConfigSource } from './host/resolve-host-config.js';
import { HostActivation } from './plugins/activation-events.js';
import { pluginInfo, type PluginInfo } from './plugins/plugin-info.js';
import { builtinSources, loadPlugins, PluginLoader, type PluginLoadResult } from './plugins/plugin-loader.js';
import { ExtraPlugins, type PluginSpec } from './plugins/plugin-spec.js';

/**
 * Options of {@link createHost}; every one may be left out.
 *
 * @example
 * const options: CreateHostOptions = { config: './equinox.config.json', sync: { debounceMs: 200 } };
 */
export interface CreateHostOptions {
  /** A config object, a config file path, or `loadConfig` options. Default: `loadConfig()` (./equinox.config.json, then EQUINOX_* variables). */
  readonly config?: HostConfigSource;
  /** The cloud; default: supabase-js from `config.supabase`. */
  readonly remote?: RemoteStore;
  /** Plugins beyond the built-ins and the config's: package names, paths, or plugins given in code. */
  readonly plugins?: readonly PluginSpec[];
  /** Engine options over the config's `sync` section. */
  readonly sync?: Partial<SyncOptions>;
  /** Default: warnings and errors to stderr. */
  readonly logger?: HostLogger;
  /**
   * The command the host is opened for (`clients list`, or oclif's id `clients:list`):
   * plugins with `onCommand:<that command>` are activated beside the `onStartup` ones.
   * Absent: only `onStartup` plugins; the others' tables still open and sync.
   */
  readonly command?: string;
  /**
   * Where the engine's metrics go (an OpenTelemetry `MeterProvider`); default: the global
   * one `@opentelemetry/api` holds when the host is made, a no-op unless the app set one.
   */
  readonly meterProvider?: SyncMeterProvider;
}

/**
 * Makes a host: validates the config (one `ConfigError` listing every bad value), finds
 * and validates the plugins, opens the device's database with their tables, activates
 * those whose activation event happened (`onStartup`; `onCommand:<id>` with `command`)
 * and wires the sync engine. A plugin that fails is left out and reported by
 * `plugins()`; the host runs without it. Nothing syncs until `start()` or `syncNow()`;
 * nothing is applied to the cloud (install its schema with `equinox cloud sql`).
 *
 * @example
 * const host = await createHost({ config: 'equinox.config.json' });
 * await host.start();
 * host.status$.subscribe((status) => console.log(status.pendingUploads));
 * await host.dispose();
 */
export async function createHost(options: CreateHostOptions = {}): Promise<EquinoxHost> {
  const container = await hostContainer(options);
  if (options.remote !== undefined) (await container.rebind(RemoteStore)).toConstantValue(options.remote);
  if (options.meterProvider !== undefined) container.bind(SyncMeterProvider).toConstantValue(options.meterProvider);
  const host = container.get(HostService);
  await host.boot();
  return host;
}

/**
 * The plugins a host with these options would load, without opening the database or
 * running any plugin's `activate` (their modules are imported): for `equinox cloud sql`
 * and `plugins list`. A plugin that would fail to load is reported as `failed`.
 *
 * @example
 * const { definitions } = await discoverPlugins({ config: 'equinox.config.json' });
 * process.stdout.write(compileServerSchema(definitions));
 */
export async function discoverPlugins(
  options: Pick<CreateHostOptions, 'config' | 'plugins' | 'logger'> = {},
): Promise<DiscoveredPlugins> {
  return discovered(await (await hostContainer(options)).get(PluginLoader).loadAll());
}

/**
 * What {@link discoverPlugins} finds with no config at all: every built-in plugin of this
 * host (host/package.json `equinox.builtins`), found and validated the same way.
 *
 * @example
 * const { definitions } = await discoverBuiltins();
 */
export async function discoverBuiltins(logger: HostLogger = consoleLogger()): Promise<DiscoveredPlugins> {
  return discovered(await loadPlugins(builtinSources(), logger));
}

/**
 * The plugins found by {@link discoverPlugins}: each one's outcome, and the definitions
 * of those that load.
 *
 * @example
 * const { plugins, definitions }: DiscoveredPlugins = await discoverPlugins();
 */
export interface DiscoveredPlugins {
  readonly plugins: PluginInfo[];
  readonly definitions: PluginDefinition[];
}

function discovered(results: readonly PluginLoadResult[]): DiscoveredPlugins {
  return {
    plugins: results.map((result) => ('loaded' in result ? pluginInfo(result.loaded) : result.failed)),
    definitions: results.flatMap((result) => ('loaded' in result ? [result.loaded.definition] : [])),
  };
}

async function hostContainer(options: CreateHostOptions): Promise<Container> {
  const host = resolveHostConfig(options.config);
  const container = new Container();
  container.bind(HostConfig).toConstantValue({ ...host, ...(options.sync === undefined ? {} : { sync: options.sync }) });
  container.bind(HostContainer).toConstantValue(container);
  container.bind(HostLogger).toConstantValue(options.logger ?? consoleLogger());
  container.bind(ExtraPlugins).toConstantValue(options.plugins ?? []);
  container.bind(HostActivation).toConstantValue({ command: options.command } satisfies HostActivation);
  await container.load(coreModule, hostModule);
  return container;
}
