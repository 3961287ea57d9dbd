import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { CONFIG_FILE } from '@equinox-sync/config';
import type { PluginDefinition } from '@equinox-sync/core';
import { discoverBuiltins, discoverPlugins } from '../create-host.js';

/**
 * The plugins whose tables the cloud needs: with a config (`--config`, `EQUINOX_CONFIG`
 * or ./equinox.config.json), the ones it enables (built-ins and extra plugins); without
 * one, every built-in, found as a host finds them. A plugin that fails to load is an
 * error here: a migration missing its tables would be worse than none.
 *
 * @example
 * const sql = compileServerSchema(await cloudPlugins(flags.config));
 */
export async function cloudPlugins(configPath?: string): Promise<PluginDefinition[]> {
  const explicit = configPath ?? process.env.EQUINOX_CONFIG;
  const { plugins, definitions } =
    explicit === undefined && !existsSync(resolve(CONFIG_FILE)) ? await discoverBuiltins() : await discoverPlugins(explicit === undefined ? {} : { config: explicit });
  const failed = plugins.filter((plugin) => plugin.state === 'failed');
  if (failed.length > 0) throw new Error(failed.map((plugin) => `plugin "${plugin.name}": ${plugin.error}`).join('; '));
  return definitions;
}
