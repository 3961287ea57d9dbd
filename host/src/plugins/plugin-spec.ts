import type { PluginModule } from '@equinox-sync/core/plugin';

/**
 * A plugin given in code rather than installed: its package.json (with the `equinox`
 * manifest, validated like any other) and its module. For tests and apps that bundle
 * their plugins.
 *
 * @example
 * const audit: InlinePlugin = {
 *   packageJson: { name: 'audit', version: '1.0.0', equinox: { engines: { equinox: '^0.1.0' } } },
 *   module: { activate: (context) => context.logger.info('ready') },
 * };
 */
export interface InlinePlugin {
  readonly packageJson: unknown;
  /** Absent for a plugin that only declares tables. */
  readonly module?: PluginModule;
  /** Shown as the plugin's folder; nothing is read from it. */
  readonly dir?: string;
}

/**
 * A plugin to load: an npm package name (resolved from the config file's folder), a
 * path to a package folder or its package.json, or an {@link InlinePlugin}.
 *
 * @example
 * const specs: PluginSpec[] = ['@acme/equinox-clients', './plugins/audit', audit];
 */
export type PluginSpec = string | InlinePlugin;

/** DI token of the plugins given to `createHost` in code, loaded after the configured ones. */
export const ExtraPlugins = Symbol('ExtraPlugins');
/** See {@link ExtraPlugins}. */
export type ExtraPlugins = readonly PluginSpec[];
