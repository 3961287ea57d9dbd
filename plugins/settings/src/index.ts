/** @equinox-sync/plugin-settings — settings (the cloud wins) and licences (read-only on devices). */
export { settingsPlugin } from './settings-plugin.js';
