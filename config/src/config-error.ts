/** One bad value: where it came from, the key, the value (masked when secret), what is wrong. */
export interface ConfigProblem {
  /** A file path or an environment variable name. */
  readonly source: string;
  /** Dotted key in the config, e.g. `sync.batchSize`. */
  readonly key: string;
  readonly value: string;
  readonly message: string;
}

/**
 * Thrown by `loadConfig` with every problem found, one readable line each.
 *
 * @example
 * try { loadConfig(); } catch (e) {
 *   if (e instanceof ConfigError) console.error(e.message); // equinox.config.json: sync.batchSize = "x": expected a number
 * }
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(readonly problems: readonly ConfigProblem[]) {
    super(problems.map((p) => `${p.source}: ${p.key} = ${p.value}: ${p.message}`).join('\n'));
  }
}

const SECRET_KEYS = new Set(['supabase.key', 'supabase.accessToken']);

/** Renders a value for an error message, never showing a secret. */
export function describeValue(key: string, value: unknown): string {
  if (value === undefined) return '(missing)';
  if (SECRET_KEYS.has(key)) return '(hidden)';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
