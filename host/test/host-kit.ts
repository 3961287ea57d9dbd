import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EquinoxConfigInput } from '@equinox-sync/config';
import { compileServerSchema, type PluginDefinition, type SyncRunResult } from '@equinox-sync/core';
import { applySql, deviceClaims, TokenMinter } from '@equinox-sync/local-cloud';
import { fiscalPlugin } from '@equinox-sync/plugin-fiscal';
import { inventoryPlugin } from '@equinox-sync/plugin-inventory';
import { settingsPlugin } from '@equinox-sync/plugin-settings';
import type { EquinoxHost, HostLogger } from '../src/index.js';
import type { TestCloud } from '@equinox-sync/local-cloud/testing';

/** The coordinates the root global setup provides as `inject('cloud')`. */
export type Cloud = TestCloud;

/** The example third-party plugin, kept out of the workspaces. */
export const EXAMPLE_PLUGIN_DIR = fileURLToPath(new URL('../../examples/plugin-clients', import.meta.url));

export const BUILTIN_PLUGINS: readonly PluginDefinition[] = [fiscalPlugin, inventoryPlugin, settingsPlugin];

/** A tenant no other test uses: every test file shares one cloud. */
export function uniqueTenant(label: string): string {
  return `${label}-${randomUUID()}`;
}

export function tempDir(label = 'host'): string {
  return mkdtempSync(join(tmpdir(), `equinox-${label}-`));
}

/**
 * Installs the plugins' cloud schema. Test files run in parallel and install the same
 * tables; an advisory lock makes them take turns.
 */
export async function installCloudSchema(cloud: Cloud, plugins: readonly PluginDefinition[]): Promise<void> {
  await applySql(cloud, `select pg_advisory_lock(4242);\n${compileServerSchema(plugins)}\nselect pg_advisory_unlock(4242);`);
}

/** A device's config against the local cloud: its own database file and a token naming its tenant and itself. */
export async function deviceConfig(
  cloud: Cloud,
  options: { tenant: string; device: string; dir: string; plugins?: string[]; builtins?: boolean },
): Promise<EquinoxConfigInput> {
  const builtins = options.builtins ?? false;
  return {
    tenantId: options.tenant,
    deviceId: options.device,
    dbPath: join(options.dir, `${options.device}.db`),
    supabase: { url: cloud.url, key: cloud.anonKey, accessToken: await new TokenMinter(cloud.jwtSecret).mint(deviceClaims({ tenant: options.tenant, device: options.device })) },
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

/**
 * Syncs until `done` holds. Other test files commit to the same cloud at the same time,
 * and a pull only returns rows below the oldest open transaction, so a row may arrive a
 * run or two late.
 */
export async function syncUntil(host: EquinoxHost, done: () => boolean, timeoutMs = 15_000): Promise<SyncRunResult> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await host.syncNow();
    if (result.error !== null) throw new Error(`sync failed: ${result.error}`);
    if (done() || Date.now() > deadline) return result;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
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
