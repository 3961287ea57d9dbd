/**
 * Why a plugin could not be loaded (not found, incompatible, its module failed),
 * naming the plugin.
 *
 * @example
 * throw new PluginLoadError('@acme/clients', 'requires equinox ^2.0.0 (equinox.engines.equinox), but this host is 0.1.0');
 */
export class PluginLoadError extends Error {
  override readonly name = 'PluginLoadError';

  constructor(
    readonly plugin: string,
    problem: string,
  ) {
    super(`plugin "${plugin}": ${problem}`);
  }
}
