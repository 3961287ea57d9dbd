import type { PluginDefinition, PluginManifest } from '@equinox-sync/core';
import type { PluginModule } from '@equinox-sync/core/plugin';

/**
 * What `host.plugins()` says about one plugin. An `active` plugin was activated; an
 * `inactive` one was not (no activation event of it happened: `activationEvents` says
 * which would), but its tables are open and sync. A `failed` plugin was left out (its
 * tables are not opened nor synced) and `error` says why.
 *
 * @example
 * for (const p of host.plugins()) console.log(p.name, p.state, p.error ?? '');
 */
export interface PluginInfo {
  readonly name: string;
  /** Unknown when the package.json could not be read. */
  readonly version: string | undefined;
  readonly displayName: string | undefined;
  /** The package folder; absent for a plugin given in code without one. */
  readonly dir: string | undefined;
  /** The tables it declares. */
  readonly tables: readonly string[];
  /** What activates it (`onStartup`, `onCommand:<id>`); absent when its manifest was not read. */
  readonly activationEvents?: readonly string[];
  readonly state: 'active' | 'inactive' | 'failed';
  readonly error?: string;
}

/**
 * A plugin whose manifest passed, whose engine range fits this host and whose module
 * loaded; not yet activated.
 *
 * @example
 * const { manifest, definition, module } = loaded;
 */
export interface LoadedPlugin {
  readonly manifest: PluginManifest;
  /** The manifest's definition, with the module's `serverSql` when it exports one. */
  readonly definition: PluginDefinition;
  readonly module: PluginModule | undefined;
  readonly dir: string | undefined;
}

/** The {@link PluginInfo} of a loaded plugin. */
export function pluginInfo(plugin: LoadedPlugin, failure?: string): PluginInfo {
  return {
    name: plugin.manifest.name,
    version: plugin.manifest.version,
    displayName: plugin.manifest.displayName,
    dir: plugin.dir,
    tables: plugin.definition.tables.map((table) => table.name),
    activationEvents: plugin.manifest.activationEvents,
    state: failure === undefined ? 'active' : 'failed',
    ...(failure === undefined ? {} : { error: failure }),
  };
}
