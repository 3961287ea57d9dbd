import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { pluginFromPackageJson, type PluginContext } from '@equinox-sync/core/plugin';
import { SETTINGS_SERVER_SQL } from './cloud/settings-server-sql.js';
import { isReservedKey } from './cloud/settings-schema.js';
import { licencePanel } from './inspector/licence-panel.js';
import { localLicensing } from './licence/licence.js';
import { LicenceGate } from './licence/licence-gate.js';
import type { SettingsApi } from './settings-api.js';
import { SettingsStore } from './settings/settings-store.js';

const manifestPath = fileURLToPath(new URL('../package.json', import.meta.url));

/**
 * Settings are owned by the back office, so the cloud wins a disagreement; licences are
 * written only in the cloud and read by devices. A tenant-wide setting has `device_id`
 * '' rather than NULL: NULLs never collide in a unique key. The tables are declared in
 * package.json (`equinox.contributes.tables`); the cloud SQL (licence checks, back-office
 * writes) is code, so it is added here.
 *
 * @example
 * const licenses = settingsPlugin.tables.find((table) => table.name === 'licenses');
 */
export const settingsPlugin = pluginFromPackageJson(JSON.parse(readFileSync(manifestPath, 'utf8')), {
  source: manifestPath,
  serverSql: SETTINGS_SERVER_SQL,
});

/**
 * The plugin's cloud SQL, which the host adds to the definition it derives from the
 * manifest (a manifest cannot hold code).
 *
 * @example
 * compileServerSchema([{ ...manifest.definition, serverSql }]);
 */
export const serverSql: string = SETTINGS_SERVER_SQL;

/**
 * Called by the host when it starts: registers the licence gate on the upload stage and
 * a check that holds back a device's write of a reserved `licence.*` setting (the cloud
 * would refuse it) and the device inspector's "Licence" panel, and returns the
 * {@link SettingsApi}.
 *
 * @example
 * const settings = await activate(context);
 * settings.set('currency', 'EUR');
 */
export function activate(context: PluginContext): SettingsApi {
  const settings = new SettingsStore(context.store, context.device);
  const gate = new LicenceGate({ ...context.device, cloud: context.cloud, local: () => localLicensing(context.store) });
  context.subscriptions.push(
    context.hooks.register({ beforeUpload: (upload) => gate.check(upload) }),
    context.hooks.register({
      tables: ['settings'],
      validate: (_table, row) =>
        typeof row.key === 'string' && isReservedKey(row.key) ? `setting "${row.key}" is reserved: only the back office sets it, in the cloud` : undefined,
    }),
  );
  const api: SettingsApi = {
    get: (key, options) => settings.get(key, options),
    entry: (key, options) => settings.entry(key, options),
    set: (key, value, options) => settings.set(key, value, options),
    list: () => settings.list(),
    licence: () => localLicensing(context.store).licence,
    licenceStatus: () => gate.status,
  };
  context.subscriptions.push(context.inspector.registerPanel(licencePanel({ settings: api, local: () => localLicensing(context.store), device: context.device })));
  return api;
}
