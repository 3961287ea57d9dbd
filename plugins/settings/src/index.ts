/** @equinox-sync/plugin-settings — settings (the cloud wins) and licences (read-only on devices). */
export { settingsPlugin, activate } from './settings-plugin.js';
