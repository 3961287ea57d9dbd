import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { assertDistinctTables, parsePluginManifest, type PluginManifest } from '@equinox-sync/core';
import type { PluginModule } from '@equinox-sync/core/plugin';
import { inject, injectable } from 'inversify';
import { HostConfig } from '../host/host-config.js';
import { HostLogger } from '../host/host-logger.js';
import { HOST_VERSION } from '../host-version.js';
import { engineProblem } from './engine-compatibility.js';
import { enabledBuiltins } from './host-builtins.js';
import type { LoadedPlugin, PluginInfo } from './plugin-info.js';
import { PluginLoadError } from './plugin-load-error.js';
import { locatePackage } from './plugin-locator.js';
import { ExtraPlugins, type InlinePlugin, type PluginSpec } from './plugin-spec.js';

/** One plugin's outcome, in load order. */
export type PluginLoadResult = { readonly loaded: LoadedPlugin } | { readonly failed: PluginInfo };

/** The host's own folder: its built-in plugins resolve from here, as its dependencies. */
const HOST_DIR = dirname(fileURLToPath(import.meta.url));

/**
 * A plugin to load and the folder its package name (or relative path) resolves from.
 *
 * @example
 * const source: PluginSource = { spec: '@acme/equinox-clients', from: '/apps/till' };
 */
export interface PluginSource {
  readonly spec: PluginSpec;
  readonly from: string;
}

/**
 * Finds the plugins (the enabled built-ins, then the config's `plugins`, then those given
 * in code), validates each manifest, checks `engines.equinox` against this host and
 * imports the main module. Nothing of a plugin runs before its manifest passed. A
 * plugin that fails any step is reported and left out; the others load.
 *
 * @example
 * const results = await container.get(PluginLoader).loadAll();
 */
@injectable()
export class PluginLoader {
  constructor(
    @inject(HostConfig) private readonly host: HostConfig,
    @inject(ExtraPlugins) private readonly extra: ExtraPlugins,
    @inject(HostLogger) private readonly logger: HostLogger,
  ) {}

  loadAll(): Promise<PluginLoadResult[]> {
    const configured = [...this.host.config.plugins, ...this.extra].map((spec) => ({ spec, from: this.host.baseDir }));
    return loadPlugins([...builtinSources(this.host.config.builtins), ...configured], this.logger);
  }
}

/**
 * The host's built-ins (host/package.json `equinox.builtins`) that `switches` leaves on,
 * resolved from the host's folder.
 *
 * @example
 * const results = await loadPlugins(builtinSources(), consoleLogger());
 */
export function builtinSources(switches?: Readonly<Record<string, boolean>>): PluginSource[] {
  return enabledBuiltins(switches).map((spec) => ({ spec, from: HOST_DIR }));
}

/**
 * Loads plugins in order, as {@link PluginLoader} does: a plugin that fails is logged
 * and reported as `failed`; the same folder named twice loads once.
 *
 * @example
 * const results = await loadPlugins([{ spec: './plugins/audit', from: process.cwd() }], consoleLogger());
 */
export async function loadPlugins(sources: readonly PluginSource[], logger: HostLogger): Promise<PluginLoadResult[]> {
  const results: PluginLoadResult[] = [];
  const seenDirs = new Set<string>();
  for (const { spec, from } of sources) {
    const result = await load(spec, from, results, seenDirs);
    if (result === undefined) continue;
    if ('failed' in result) logger.error(`plugin left out: ${result.failed.error}`);
    results.push(result);
  }
  return results;
}

/** Loads one plugin; `undefined` when it is one already loaded (the same folder named twice). */
async function load(spec: PluginSpec, from: string, earlier: readonly PluginLoadResult[], seenDirs: Set<string>): Promise<PluginLoadResult | undefined> {
  let label = typeof spec === 'string' ? spec : nameOf(spec.packageJson);
  let manifest: PluginManifest | undefined;
  let dir = typeof spec === 'string' ? undefined : spec.dir;
  try {
    const found = typeof spec === 'string' ? locatePackage(spec, from) : { packageJson: spec.packageJson, packageJsonPath: undefined, dir };
    dir = found.dir;
    if (dir !== undefined && seenDirs.has(dir)) return undefined;
    if (dir !== undefined) seenDirs.add(dir);
    label = nameOf(found.packageJson) ?? label;
    manifest = parsePluginManifest(found.packageJson, { source: found.packageJsonPath ?? `plugin ${label ?? '(unnamed)'} given in code` });
    const problem = engineProblem(manifest.engines.equinox, HOST_VERSION);
    if (problem !== undefined) throw new PluginLoadError(manifest.name, problem);
    const loaded = earlier.flatMap((result) => ('loaded' in result ? [result.loaded] : []));
    const twin = loaded.find((plugin) => plugin.manifest.name === manifest?.name);
    if (twin !== undefined) throw new PluginLoadError(manifest.name, `is already loaded from ${twin.dir ?? 'code'}`);
    const module = typeof spec === 'string' ? await importMain(manifest, dir) : moduleOf(manifest, spec);
    const serverSql = module?.serverSql;
    const definition = serverSql === undefined ? manifest.definition : Object.freeze({ ...manifest.definition, serverSql });
    assertDistinctTables([...loaded.map((plugin) => plugin.definition), definition]);
    return { loaded: { manifest, definition, module, dir } };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      failed: {
        name: manifest?.name ?? label ?? '(unnamed)',
        version: manifest?.version,
        displayName: manifest?.displayName,
        dir,
        tables: manifest?.definition.tables.map((table) => table.name) ?? [],
        activationEvents: manifest?.activationEvents,
        state: 'failed',
        error: message,
      },
    };
  }
}

/** Imports the package's main module and checks its shape; `undefined` for a plugin without code. */
async function importMain(manifest: PluginManifest, dir: string | undefined): Promise<PluginModule | undefined> {
  if (manifest.main === undefined || dir === undefined) return undefined;
  const entry = resolve(dir, manifest.main);
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(entry).href)) as Record<string, unknown>;
  } catch (error) {
    throw new PluginLoadError(manifest.name, `its main module ${entry} failed to load: ${(error as Error).message ?? String(error)}`);
  }
  return checkModule(manifest, module, `its main module ${entry}`);
}

function moduleOf(manifest: PluginManifest, spec: InlinePlugin): PluginModule | undefined {
  return spec.module === undefined ? undefined : checkModule(manifest, spec.module as unknown as Record<string, unknown>, 'its module');
}

function checkModule(manifest: PluginManifest, module: Record<string, unknown>, what: string): PluginModule {
  if (typeof module.activate !== 'function') throw new PluginLoadError(manifest.name, `${what} does not export activate(context)`);
  if (module.deactivate !== undefined && typeof module.deactivate !== 'function') {
    throw new PluginLoadError(manifest.name, `${what} exports deactivate, which must be a function`);
  }
  if (module.serverSql !== undefined && typeof module.serverSql !== 'string') {
    throw new PluginLoadError(manifest.name, `${what} exports serverSql, which must be a string`);
  }
  return module as unknown as PluginModule;
}

function nameOf(packageJson: unknown): string | undefined {
  const name = (packageJson as { name?: unknown } | null | undefined)?.name;
  return typeof name === 'string' && name !== '' ? name : undefined;
}
