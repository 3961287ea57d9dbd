import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONFIG_FILE } from '@equinox-sync/config';
import { Config, Plugin } from '@oclif/core';
import { locatePackage } from '../plugins/plugin-locator.js';

/**
 * Where {@link loadCliConfig} looks for the device config; each defaults to the process's.
 *
 * @example
 * await loadCliConfig(hostDir, ['clients', 'list'], { env: { EQUINOX_CONFIG: './till.json' } });
 */
export interface CliConfigOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Where warnings go; default stderr. */
  readonly warn?: (line: string) => void;
}

/**
 * oclif's Config for one run of `equinox ...argv`: the host's commands, its built-in
 * plugins' (oclif core plugins: host/package.json `oclif.plugins`), and the commands of
 * every plugin the device config lists in `plugins` whose package.json has an `oclif`
 * field, added as core plugins too, so their topics show in `equinox --help` and their
 * commands run like built-in ones. The config is found as commands find it (`--config
 * FILE` in `argv`, else `EQUINOX_CONFIG`, else ./equinox.config.json; `EQUINOX_PLUGINS`
 * over its list) and read leniently: a config that does not load adds nothing here, and
 * the command reports it. A listed package that cannot be found is reported once: here
 * when `argv` names no command, else by the host the command opens (and `plugins list`).
 * bin/run.js and the tests' in-process runner both start from it.
 *
 * @example
 * const args = process.argv.slice(2);
 * await execute({ args, loadOptions: await loadCliConfig(import.meta.url, args) });
 */
export async function loadCliConfig(root: string, argv: readonly string[], options: CliConfigOptions = {}): Promise<Config> {
  const warn = options.warn ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const base = await Config.load(root.startsWith('file:') ? fileURLToPath(root) : root);
  const listed = listedPlugins(argv, options.env ?? process.env, options.cwd ?? process.cwd());
  const added: Plugin[] = [];
  const missing: string[] = [];
  for (const spec of listed.plugins) {
    let found: ReturnType<typeof locatePackage>;
    try {
      found = locatePackage(spec, listed.baseDir);
    } catch (error) {
      missing.push(describe(error));
      continue;
    }
    if (!hasOclifField(found.packageJson)) continue;
    try {
      const plugin = new Plugin({ root: found.dir, type: 'core' });
      await plugin.load();
      if (!base.plugins.has(plugin.name) && !added.some((other) => other.name === plugin.name)) added.push(plugin);
    } catch (error) {
      // A plugin whose commands cannot be read: the host may still load its tables, so nothing else reports it.
      warn(`equinox: warn: commands left out: plugin "${spec}": ${describe(error)}`);
    }
  }
  const config =
    added.length === 0 ? base : await Config.load({ ...base.options, root: base.root, plugins: new Map([...base.plugins, ...added.map((plugin) => [plugin.name, plugin] as const)]) });
  // A command that opens the host reports a missing plugin itself; said here too, it would be said twice.
  if (!namesCommand(config, argv)) for (const problem of missing) warn(`equinox: warn: commands left out: ${problem}`);
  return config;
}

/** The config's `plugins` (or `EQUINOX_PLUGINS`) and the folder they resolve from; none when there is no readable config. */
function listedPlugins(argv: readonly string[], env: NodeJS.ProcessEnv, cwd: string): { plugins: string[]; baseDir: string } {
  const explicit = configFlag(argv) ?? (env.EQUINOX_CONFIG === '' ? undefined : env.EQUINOX_CONFIG);
  const file = resolve(cwd, explicit ?? CONFIG_FILE);
  const hasFile = existsSync(file);
  const baseDir = hasFile ? dirname(file) : resolve(cwd);
  const fromEnv = env.EQUINOX_PLUGINS?.split(',').map((item) => item.trim()).filter(Boolean);
  const listed = fromEnv !== undefined && fromEnv.length > 0 ? fromEnv : hasFile ? readPlugins(file) : [];
  return { baseDir, plugins: listed.map((spec) => (spec.startsWith('.') || isAbsolute(spec) ? resolve(baseDir, spec) : spec)) };
}

/** The `plugins` of a config file, the strings only; nothing when it is not JSON. */
function readPlugins(file: string): string[] {
  try {
    const plugins = (JSON.parse(readFileSync(file, 'utf8')) as { plugins?: unknown } | null)?.plugins;
    return Array.isArray(plugins) ? plugins.filter((spec): spec is string => typeof spec === 'string' && spec !== '') : [];
  } catch {
    return [];
  }
}

/** `--config FILE` or `--config=FILE` before a `--`, as oclif parses it. */
function configFlag(argv: readonly string[]): string | undefined {
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index] as string;
    if (arg === '--') return undefined;
    if (arg === '--config') return argv[index + 1];
    if (arg.startsWith('--config=')) return arg.slice('--config='.length);
  }
  return undefined;
}

function hasOclifField(packageJson: unknown): boolean {
  const oclif = (packageJson as { oclif?: unknown } | null)?.oclif;
  return typeof oclif === 'object' && oclif !== null;
}

/** Whether `argv` starts with the words of one of the config's commands (`clients list`). */
function namesCommand(config: Config, argv: readonly string[]): boolean {
  const end = argv.findIndex((arg) => arg.startsWith('-'));
  const words = end === -1 ? [...argv] : argv.slice(0, end);
  for (let count = words.length; count > 0; count--) if (config.findCommand(words.slice(0, count).join(':')) !== undefined) return true;
  return false;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
