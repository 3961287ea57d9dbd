import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { isSameProcessAlive } from './process-identity.js';
import { writePrivateFile } from './private-files.js';

/**
 * What a running local cloud tells other processes about itself, kept in its data dir
 * while it runs. It holds the public coordinates only; secrets stay in `secrets.json`.
 */
export interface CloudState {
  readonly url: string;
  readonly anonKey: string;
  readonly serviceKey: string;
  readonly pgUrl: string;
  readonly dataDir: string;
  /** The process that owns the cloud; `equinox cloud stop` signals it. */
  readonly pid: number;
  /** When that process started (see `processStart`), so a later process with its pid is not taken for it. */
  readonly processStart?: string;
  /** The processes it started, which `equinox cloud stop` waits for. */
  readonly postgresPid?: number;
  readonly postgrestPid?: number;
}

const FILE = 'state.json';

/** Path of the state file in a data dir. */
export function cloudStatePath(dataDir: string): string {
  return join(dataDir, FILE);
}

/** Writes the state file (mode 0600, also over an older looser file: it holds the service key). */
export function writeCloudState(state: CloudState): void {
  writePrivateFile(cloudStatePath(state.dataDir), `${JSON.stringify(state, null, 2)}\n`);
}

/**
 * The state of the cloud running on `dataDir`, or `undefined` when none runs there
 * (no file, or its owner is gone).
 *
 * @example
 * const cloud = readCloudState('.equinox/cloud');
 * if (!cloud) throw new Error('start it with: equinox cloud start');
 */
export function readCloudState(dataDir: string): CloudState | undefined {
  const file = cloudStatePath(dataDir);
  if (!existsSync(file)) return undefined;
  const state = JSON.parse(readFileSync(file, 'utf8')) as CloudState;
  return isSameProcessAlive(state.pid, state.processStart) ? state : undefined;
}

/** Removes the state file. */
export function clearCloudState(dataDir: string): void {
  rmSync(cloudStatePath(dataDir), { force: true });
}

