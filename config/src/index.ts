/**
 * @equinox-sync/config — the one configuration schema and its loader (file, then
 * `EQUINOX_*` environment variables), with readable errors.
 */
export { configSchema, type EquinoxConfig, type EquinoxConfigInput } from './config-schema.js';
export { loadConfig, CONFIG_FILE, NO_CONFIG, type LoadConfigOptions, type LoadedConfig } from './load-config.js';
export { ConfigError, type ConfigProblem } from './config-error.js';
export { ENV_VARIABLES } from './env-overrides.js';
export { unknownBuiltins } from './builtin-keys.js';
export { DEVICE_ID_PATTERN, DEVICE_ID_RULE, TENANT_ID_PATTERN, TENANT_ID_RULE } from './identifiers.js';
