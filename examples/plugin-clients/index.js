// @ts-check
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { pluginFromPackageJson } from '@equinox-sync/core';

const manifestPath = fileURLToPath(new URL('./package.json', import.meta.url));

/** The plugin's definition, derived from its manifest: for `compileServerSchema` and tests. */
export const clientsPlugin = pluginFromPackageJson(JSON.parse(readFileSync(manifestPath, 'utf8')), { source: manifestPath });

/**
 * Holds back a client whose email has no "@": it stays on the device, reported in
 * `status.failed`, until it is corrected.
 *
 * @param {import('@equinox-sync/core').PluginContext} context
 */
export function activate(context) {
  context.subscriptions.push(
    context.hooks.register({
      tables: ['clients'],
      validate: (_table, row) => (typeof row.email === 'string' && !row.email.includes('@') ? `email "${row.email}" is not valid` : undefined),
    }),
  );
  context.logger.info('clients plugin active');
}

export function deactivate() {
  // Nothing to release: everything registered went into context.subscriptions.
}
