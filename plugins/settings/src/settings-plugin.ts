import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { pluginFromPackageJson, type PluginContext } from '@equinox-sync/core';

const manifestPath = fileURLToPath(new URL('../package.json', import.meta.url));

/**
 * Settings are owned by the back office, so the cloud wins a disagreement; licences are
 * written only in the cloud and read by devices. A tenant-wide setting has `device_id`
 * '' rather than NULL: NULLs never collide in a unique key. The tables are declared in
 * package.json (`equinox.contributes.tables`).
 *
 * @example
 * const licenses = settingsPlugin.tables.find((table) => table.name === 'licenses');
 */
export const settingsPlugin = pluginFromPackageJson(JSON.parse(readFileSync(manifestPath, 'utf8')), {
  source: manifestPath,
});

/**
 * Called by the host when it starts. Settings has no hooks yet: its rules are declared
 * in the manifest and enforced by core and the cloud.
 *
 * @example
 * await activate(context);
 */
export function activate(context: PluginContext): void {
  context.logger.debug(`activated with tables ${settingsPlugin.tables.map((table) => table.name).join(', ')}`);
}
