import type { ConfigProblem } from './config-error.js';

type Kind = 'text' | 'int' | 'bool' | 'list';

/** The placeholders of a family of variables: the variable's tail, and the key it names. */
const FAMILY_NAME = '<KEY>';
const FAMILY_KEY = '<key>';

/**
 * Every environment variable the loader reads, and the key it overrides. Explicit, so
 * the README can list them and a typo in a variable name does not silently map somewhere.
 * One entry is a family: `EQUINOX_BUILTINS_<KEY>` sets `builtins.<key>` (the key in
 * lower case) for whichever built-in the variable names; the host checks the key.
 */
export const ENV_VARIABLES: ReadonlyArray<{ readonly name: string; readonly key: string; readonly kind: Kind }> = [
  { name: 'EQUINOX_TENANT_ID', key: 'tenantId', kind: 'text' },
  { name: 'EQUINOX_DEVICE_ID', key: 'deviceId', kind: 'text' },
  { name: 'EQUINOX_DB_PATH', key: 'dbPath', kind: 'text' },
  { name: 'EQUINOX_ROLE', key: 'role', kind: 'text' },
  { name: 'EQUINOX_SUPABASE_URL', key: 'supabase.url', kind: 'text' },
  { name: 'EQUINOX_SUPABASE_KEY', key: 'supabase.key', kind: 'text' },
  { name: 'EQUINOX_SUPABASE_ACCESS_TOKEN', key: 'supabase.accessToken', kind: 'text' },
  { name: 'EQUINOX_SYNC_INTERVAL_SECONDS', key: 'sync.intervalSeconds', kind: 'int' },
  { name: 'EQUINOX_SYNC_BATCH_SIZE', key: 'sync.batchSize', kind: 'int' },
  { name: 'EQUINOX_SYNC_RETRY_BASE_MS', key: 'sync.retry.baseMs', kind: 'int' },
  { name: 'EQUINOX_SYNC_RETRY_MAX_MS', key: 'sync.retry.maxMs', kind: 'int' },
  { name: 'EQUINOX_SYNC_RETRY_MAX_ATTEMPTS', key: 'sync.retry.maxAttempts', kind: 'int' },
  { name: 'EQUINOX_PLUGINS', key: 'plugins', kind: 'list' },
  { name: `EQUINOX_BUILTINS_${FAMILY_NAME}`, key: `builtins.${FAMILY_KEY}`, kind: 'bool' },
];

/** Where each overridden key's value came from, so errors can name the variable. */
export type Sources = Map<string, string>;

/**
 * Writes the `EQUINOX_*` variables present in `env` over `target` (a parsed config
 * file), recording each overridden key's source. Values that cannot be converted are
 * reported, not guessed.
 */
export function applyEnvOverrides(target: Record<string, unknown>, env: NodeJS.ProcessEnv, sources: Sources): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const variable of ENV_VARIABLES.flatMap((entry) => present(entry, env))) {
    const raw = env[variable.name];
    if (raw === undefined || raw === '') continue;
    const value = convert(raw, variable.kind);
    if (value === undefined) {
      const expected = variable.kind === 'int' ? 'expected a whole number' : 'expected true or false';
      problems.push({ source: variable.name, key: variable.key, value: JSON.stringify(raw), message: expected });
      continue;
    }
    setPath(target, variable.key, value);
    sources.set(variable.key, variable.name);
  }
  return problems;
}

/** The variables of `entry` set in `env`: itself, or each member of a family, in name order. */
function present(entry: (typeof ENV_VARIABLES)[number], env: NodeJS.ProcessEnv): Array<(typeof ENV_VARIABLES)[number]> {
  if (!entry.name.endsWith(FAMILY_NAME)) return [entry];
  const prefix = entry.name.slice(0, -FAMILY_NAME.length);
  return Object.keys(env)
    .filter((name) => name.startsWith(prefix) && name.length > prefix.length)
    .sort()
    .map((name) => ({ ...entry, name, key: entry.key.replace(FAMILY_KEY, name.slice(prefix.length).toLowerCase()) }));
}

function convert(raw: string, kind: Kind): unknown {
  switch (kind) {
    case 'text':
      return raw;
    case 'int':
      return /^-?\d+$/.test(raw.trim()) ? Number(raw) : undefined;
    case 'bool':
      return /^(true|1|yes)$/i.test(raw) ? true : /^(false|0|no)$/i.test(raw) ? false : undefined;
    case 'list':
      return raw.split(',').map((item) => item.trim()).filter(Boolean);
  }
}

function setPath(target: Record<string, unknown>, key: string, value: unknown): void {
  const parts = key.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1] as string] = value;
}
