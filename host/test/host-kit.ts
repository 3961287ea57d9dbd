import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EquinoxConfigInput } from '@equinox-sync/config';
import type { PluginDefinition } from '@equinox-sync/core';
import { deviceToken, type DeviceCloud } from '@equinox-sync/core/testing';
import { fiscalPlugin } from '@equinox-sync/plugin-fiscal';
import { inventoryPlugin } from '@equinox-sync/plugin-inventory';
import { settingsPlugin } from '@equinox-sync/plugin-settings';
import type { HostLogger } from '../src/index.js';

// Host-level fixtures: configs for createHost, plugin packages on disk, the CLI. Tenants,
// folders, cloud schemas, tokens and syncing are the shared kit's (@equinox-sync/core/testing).

/** The example third-party plugin, kept out of the workspaces. */
export const EXAMPLE_PLUGIN_DIR = fileURLToPath(new URL('../../examples/plugin-clients', import.meta.url));

export const BUILTIN_PLUGINS: readonly PluginDefinition[] = [fiscalPlugin, inventoryPlugin, settingsPlugin];

/** A device's config against the local cloud: its own database file and a token naming its tenant and itself. */
export async function deviceConfig(
  cloud: DeviceCloud,
  options: { tenant: string; device: string; dir: string; plugins?: string[]; builtins?: boolean },
): Promise<EquinoxConfigInput> {
  const builtins = options.builtins ?? false;
  return {
    tenantId: options.tenant,
    deviceId: options.device,
    dbPath: join(options.dir, `${options.device}.db`),
    supabase: { url: cloud.url, key: cloud.anonKey, accessToken: await deviceToken(options.tenant, options.device, cloud) },
    plugins: options.plugins ?? [],
    builtins: { fiscal: builtins, inventory: builtins, settings: builtins },
  };
}

/** A config that never reaches a cloud: for tests of loading only. */
export function offlineConfig(dir: string, plugins: string[] = [], builtins = false): EquinoxConfigInput {
  return {
    tenantId: 'offline-tenant',
    deviceId: 'till-1',
    dbPath: join(dir, 'till-1.db'),
    supabase: { url: 'http://127.0.0.1:9', key: 'anon' },
    plugins,
    builtins: { fiscal: builtins, inventory: builtins, settings: builtins },
  };
}

/** A logger that keeps the lines, so tests can check what was reported. */
export function memoryLogger(): HostLogger & { readonly lines: string[] } {
  const lines: string[] = [];
  const keep = (level: string) => (message: string) => void lines.push(`${level}: ${message}`);
  return { lines, debug: keep('debug'), info: keep('info'), warn: keep('warn'), error: keep('error') };
}

/** Writes a plugin package (package.json and, when given, index.js) into a new folder under `root`. */
export function writePlugin(root: string, folder: string, packageJson: object, code?: string): string {
  const dir = join(root, folder);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module', ...(code === undefined ? {} : { main: 'index.js' }), ...packageJson }, null, 2));
  if (code !== undefined) writeFileSync(join(dir, 'index.js'), code);
  return dir;
}

/** A minimal valid package.json with the equinox manifest, for one table with one text column. */
export function pluginPackage(name: string, table: string, equinox: object = {}): object {
  return {
    name,
    version: '1.0.0',
    equinox: {
      engines: { equinox: '^0.1.0' },
      contributes: { tables: [{ name: table, columns: { body: { type: 'text' } }, strategy: 'LastWriteWins' }] },
      ...equinox,
    },
  };
}

/** What one `equinox` command printed and how it exited, run in-process through oclif's runCommand. */
export interface CommandRun {
  readonly json: unknown;
  readonly stdout: string;
  readonly stderr: string;
  readonly exit: number;
}

/** The host package's folder: the root of the `equinox` CLI. */
const HOST_ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * Runs `equinox ...args` in this process, with the commands bin/run.js would have: the
 * host's, its built-in plugins', and those of the plugins the device config lists.
 * runCommand joins the arguments and splits them again on spaces: quote a value that
 * has any, "like this".
 */
export async function equinox(args: string[]): Promise<CommandRun> {
  const { runCommand } = await import('@oclif/test');
  const { loadCliConfig } = await import('../src/cli/cli-config.js');
  const { stdout, stderr, error } = await runCommand(args, await loadCliConfig(HOST_ROOT, args));
  const exit = error === undefined ? 0 : (error.oclif?.exit ?? 1);
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch {
    json = undefined;
  }
  return { json, stdout, stderr, exit };
}

/** What a process printed and how it exited. */
export interface ProcessRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A process started by {@link startNode} or {@link startEquinox}. */
export interface RunningProcess {
  readonly child: ChildProcess;
  /** Its first line on stdout; if it exits before printing one, what it printed (maybe ''). */
  readonly firstLine: Promise<string>;
  readonly exited: Promise<ProcessRun>;
}

/** Where and how {@link startNode} runs a process; `onLine` sees each line of its stdout, with the process to signal. */
export interface ProcessOptions {
  readonly cwd?: string;
  /** The whole environment; default this process's. */
  readonly env?: NodeJS.ProcessEnv;
  readonly onLine?: (line: string, child: ChildProcess) => void;
}

/** `bin/run.js`: the `equinox` command as a user runs it. */
const BIN = fileURLToPath(new URL('../bin/run.js', import.meta.url));

/** Starts `node script ...args` as a process of its own. */
export function startNode(script: string, args: readonly string[], options: ProcessOptions = {}): RunningProcess {
  const child = spawn(process.execPath, [script, ...args], { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let pending = '';
  let lineSeen: (line: string) => void = () => undefined;
  const firstLine = new Promise<string>((resolve) => (lineSeen = resolve));
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      lineSeen(line);
      options.onLine?.(line, child);
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<ProcessRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => {
      lineSeen(stdout.split('\n')[0] ?? '');
      resolve({ code, stdout, stderr });
    });
  });
  return { child, firstLine, exited };
}

/** Starts `equinox ...args` as a real process, as a user runs it (see {@link equinox} to run a command in this process). */
export function startEquinox(args: readonly string[], options: ProcessOptions = {}): RunningProcess {
  return startNode(BIN, args, options);
}

/** Runs `equinox ...args` as a real process to its end. */
export function runEquinox(args: readonly string[], options: ProcessOptions = {}): Promise<ProcessRun> {
  return startEquinox(args, options).exited;
}
