import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCloudState, type CloudState } from './cloud-state.js';
import { isSameProcessAlive, processStart } from './process-identity.js';

const FILE = 'cloud.lock';

interface LockOwner {
  readonly pid: number;
  readonly start?: string;
}

/**
 * Refused start: a cloud already runs (or is starting) on the data dir. Carries what
 * that cloud told about itself, when it is up.
 *
 * @example
 * try { await startLocalCloud({ dataDir }); }
 * catch (error) { if (error instanceof CloudRunningError) console.log(error.state?.url); }
 */
export class CloudRunningError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
    readonly state: CloudState | undefined,
  ) {
    super(
      state
        ? `a local cloud is already running on ${dataDir} at ${state.url} (pid ${pid}); stop it with: equinox cloud stop --data ${dataDir}`
        : `a local cloud is starting on ${dataDir} (pid ${pid})`,
    );
    this.name = 'CloudRunningError';
  }
}

/**
 * Takes the data dir for this process, atomically (the file is created exclusively),
 * before anything in it is touched: a second start on a running cloud's data dir must
 * not rewrite its files or start a second Postgres on its cluster. A lock whose process
 * is gone (a crash, a reboot) is taken over. Returns the release function.
 *
 * @example
 * const release = lockDataDir(dataDir);
 * try { ... } finally { release(); }
 */
export function lockDataDir(dataDir: string): () => void {
  const file = join(dataDir, FILE);
  const mine: LockOwner = { pid: process.pid, start: processStart(process.pid) };
  for (let attempt = 0; !tryCreate(file, mine); attempt += 1) {
    const owner = readOwner(file);
    if (owner && isSameProcessAlive(owner.pid, owner.start)) throw new CloudRunningError(dataDir, owner.pid, readCloudState(dataDir));
    if (attempt === 2) throw new Error(`could not lock ${file}: another start keeps taking it`);
    rmSync(file, { force: true });
  }
  return () => {
    const owner = readOwner(file);
    if (owner?.pid === mine.pid && owner.start === mine.start) rmSync(file, { force: true });
  };
}

/**
 * The pid of the process that holds `dataDir`'s lock and still runs — a cloud starting or
 * running there — or `undefined`.
 *
 * @example
 * if (readCloudState(dataDir) === undefined && lockHolder(dataDir) !== undefined) console.log('starting…');
 */
export function lockHolder(dataDir: string): number | undefined {
  const owner = readOwner(join(dataDir, FILE));
  return owner !== undefined && isSameProcessAlive(owner.pid, owner.start) ? owner.pid : undefined;
}

function tryCreate(file: string, owner: LockOwner): boolean {
  try {
    writeFileSync(file, `${JSON.stringify(owner)}\n`, { flag: 'wx', mode: 0o600 });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

function readOwner(file: string): LockOwner | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LockOwner;
  } catch {
    return undefined;
  }
}
