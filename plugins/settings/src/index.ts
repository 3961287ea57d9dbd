/** @equinox-sync/plugin-settings — settings (the cloud wins) and licences (read-only on devices). */
export { settingsPlugin, activate, serverSql } from './settings-plugin.js';
export { SettingsApi } from './settings-api.js';
export { SETTING_SCOPES, SettingsError, type Setting, type SettingScope } from './settings/setting.js';
export { SettingsStore } from './settings/settings-store.js';
export { parseSettingValue } from './settings/setting-value.js';
export { licenceId, settingId } from './settings/row-ids.js';
export { localLicensing, toLicence, type Licence, type LocalLicensing } from './licence/licence.js';
export { LICENCE_RECHECK_MS, LicenceGate, type LicenceGateDeps } from './licence/licence-gate.js';
export { pauseReason, UNCHECKED, type LicenceState, type LicenceStatus } from './licence/licence-status.js';
export { deviceLimitRefusal, parseCloudCheck, REGISTER_DEVICE_FUNCTION, type CloudCheck } from './licence/cloud-check.js';
export { SETTINGS_SERVER_SQL } from './cloud/settings-server-sql.js';
export { LICENCE_PUSH_GATE } from './cloud/push-gate-sql.js';
export {
  isReservedKey,
  LICENCE_REQUIRED_KEY,
  LICENSED_DEVICES_TABLE,
  RESERVED_KEY_PREFIX,
  SETTINGS_SCHEMA,
} from './cloud/settings-schema.js';
