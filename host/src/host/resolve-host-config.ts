import { dirname, isAbsolute, resolve } from 'node:path';
import { ConfigError, configSchema, loadConfig, unknownBuiltins, type EquinoxConfigInput, type LoadConfigOptions, type LoadedConfig } from '@equinox-sync/config';
import { HOST_BUILTINS } from '../plugins/host-builtins.js';
import type { HostConfig } from './host-config.js';

/**
 * Where a host's configuration comes from: a config object (validated by the same
 * schema, no environment variables applied), a config file path, or the options of
 * `loadConfig` (file, then `EQUINOX_*` variables). Absent: `loadConfig()`.
 *
 * @example
 * const source: HostConfigSource = './equinox.config.json';
 */
export type HostConfigSource = EquinoxConfigInput | string | LoadConfigOptions;

const OBJECT_SOURCE = 'createHost({ config })';
/** The keys a config's `builtins` may have: this host's built-in plugins. */
const BUILTIN_KEYS = Object.keys(HOST_BUILTINS);
const SECRET_KEYS = new Set(['supabase.key', 'supabase.accessToken']);

/**
 * Validates the configuration; throws one `ConfigError` listing every bad value.
 *
 * @example
 * const { config, baseDir } = resolveHostConfig({ configPath: 'till.json' });
 */
export function resolveHostConfig(source: HostConfigSource | undefined): HostConfig {
  if (source === undefined || typeof source === 'string') {
    return fromLoaded(loadConfig({ knownBuiltins: BUILTIN_KEYS, ...(source === undefined ? {} : { configPath: source }) }), process.cwd());
  }
  if (isConfigObject(source)) return fromObject(source, process.cwd());
  return fromLoaded(loadConfig({ knownBuiltins: BUILTIN_KEYS, ...source }), source.cwd ?? process.cwd());
}

function isConfigObject(source: EquinoxConfigInput | LoadConfigOptions): source is EquinoxConfigInput {
  return ['tenantId', 'deviceId', 'dbPath', 'supabase'].some((key) => key in source);
}

function fromLoaded({ config, file }: LoadedConfig, cwd: string): HostConfig {
  return { config, file, baseDir: file === undefined ? resolve(cwd) : dirname(file) };
}

function fromObject(input: EquinoxConfigInput, cwd: string): HostConfig {
  const parsed = configSchema.safeParse(input);
  const problems = [
    ...(parsed.success
      ? []
      : parsed.error.issues.map((issue) => {
          const key = issue.path.map(String).join('.') || '(root)';
          const value = issue.path.reduce<unknown>((node, part) => (node as Record<PropertyKey, unknown> | undefined)?.[part as PropertyKey], input);
          return { source: OBJECT_SOURCE, key, value: describe(key, value), message: value === undefined ? 'is required' : issue.message };
        })),
    ...unknownBuiltins(input.builtins, BUILTIN_KEYS, () => OBJECT_SOURCE),
  ];
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const config = {
    ...parsed.data,
    dbPath: resolve(cwd, parsed.data.dbPath),
    plugins: parsed.data.plugins.map((plugin) => (plugin.startsWith('.') || isAbsolute(plugin) ? resolve(cwd, plugin) : plugin)),
  };
  return { config, file: undefined, baseDir: resolve(cwd) };
}

function describe(key: string, value: unknown): string {
  if (value === undefined) return '(missing)';
  if (SECRET_KEYS.has(key)) return '(hidden)';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
