import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { z } from 'zod';
import { ConfigError, describeValue, type ConfigProblem } from './config-error.js';
import { configSchema, type EquinoxConfig } from './config-schema.js';
import { unknownBuiltins } from './builtin-keys.js';
import { applyEnvOverrides, type Sources } from './env-overrides.js';

/** The default config file name, looked up in the working directory. */
export const CONFIG_FILE = 'equinox.config.json';

/**
 * The message of the one problem {@link loadConfig} reports when there is no config file
 * and no `EQUINOX_*` variable: a caller may recognise it to say how to write one.
 *
 * @example
 * if (error.problems.some((p) => p.message === NO_CONFIG)) console.error('run: equinox init');
 */
export const NO_CONFIG = 'no config file here, and no EQUINOX_* variables set';

/** Where to look; every field may be left out. */
export interface LoadConfigOptions {
  /** `--config FILE`. Wins over `EQUINOX_CONFIG` and the default file. */
  readonly configPath?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /**
   * The keys `builtins` may have (the host's built-in plugins): any other key is a
   * problem naming it and these. Absent: any key is taken.
   */
  readonly knownBuiltins?: readonly string[];
}

/** A validated config and the file it came from, if any. */
export interface LoadedConfig {
  readonly config: EquinoxConfig;
  readonly file: string | undefined;
}

/**
 * Loads the configuration. Precedence, lowest to highest: defaults, then the file
 * (`--config FILE`, else `EQUINOX_CONFIG`, else `./equinox.config.json` when it exists),
 * then `EQUINOX_*` environment variables (`EQUINOX_BUILTINS_<KEY>` for each built-in). A
 * relative `dbPath` or plugin path is resolved against the config file's directory.
 * Every bad value is reported in one {@link ConfigError} naming the source, the key and
 * the value; with `knownBuiltins`, so is a `builtins` key the host does not have.
 *
 * @example
 * const { config } = loadConfig({ configPath: flags.config });
 * console.log(config.dbPath, config.sync.intervalSeconds);
 */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  // An empty EQUINOX_CONFIG (`EQUINOX_CONFIG= equinox …`) names no file.
  const explicit = options.configPath ?? (env.EQUINOX_CONFIG || undefined);
  const file = resolve(cwd, explicit ?? CONFIG_FILE);
  const source = explicit ?? CONFIG_FILE;
  const hasFile = existsSync(file);
  if (explicit !== undefined && !hasFile) {
    throw new ConfigError([{ source, key: '(file)', value: JSON.stringify(file), message: 'no such config file' }]);
  }
  const raw = hasFile ? readJson(file, source) : {};
  const sources: Sources = new Map();
  const envProblems = applyEnvOverrides(raw, env, sources);
  // Nothing to read at all: one problem saying so beats a list of every key "is required".
  if (!hasFile && sources.size === 0 && envProblems.length === 0) {
    throw new ConfigError([{ source, key: '(file)', value: JSON.stringify(file), message: NO_CONFIG }]);
  }
  const parsed = configSchema.safeParse(raw);
  const problems = [
    ...envProblems,
    ...(parsed.success ? [] : parsed.error.issues.flatMap((i) => toProblems(i, raw, sources, source))),
    ...(options.knownBuiltins === undefined ? [] : unknownBuiltins(raw.builtins, options.knownBuiltins, (key) => sources.get(key) ?? source)),
  ];
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  const base = hasFile ? dirname(file) : cwd;
  const config: EquinoxConfig = {
    ...parsed.data,
    dbPath: resolve(base, parsed.data.dbPath),
    plugins: parsed.data.plugins.map((plugin) => (isPathLike(plugin) ? resolve(base, plugin) : plugin)),
  };
  return { config, file: hasFile ? file : undefined };
}

function readJson(file: string, source: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    // A directory, a file it may not read: named, not thrown as the system's bare code.
    const reason = (error as NodeJS.ErrnoException).code === 'EISDIR' ? 'is a directory, not a config file' : `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
    throw new ConfigError([{ source, key: '(file)', value: JSON.stringify(file), message: reason }]);
  }
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new ConfigError([{ source, key: '(file)', value: describeValue('', value), message: 'expected a JSON object' }]);
    }
    return value as Record<string, unknown>;
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError([{ source, key: '(file)', value: '(not JSON)', message: (error as Error).message }]);
  }
}

function toProblems(issue: z.core.$ZodIssue, raw: Record<string, unknown>, sources: Sources, file: string): ConfigProblem[] {
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    // One line per key, the key itself named; its value is not shown (a misspelt key may hold a secret).
    return issue.keys.map((name) => ({ source: file, key: [...path, name].join('.'), value: '(not read)', message: 'unknown key' }));
  }
  const key = path.join('.') || '(root)';
  const value = issue.path.reduce<unknown>((node, part) => (node as Record<PropertyKey, unknown> | undefined)?.[part as PropertyKey], raw);
  const message = issue.code === 'invalid_type' && value === undefined ? 'is required' : issue.message;
  return [{ source: sources.get(key) ?? file, key, value: describeValue(key, value), message }];
}

function isPathLike(plugin: string): boolean {
  return plugin.startsWith('.') || isAbsolute(plugin);
}
