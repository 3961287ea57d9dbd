import { setTimeout as sleep } from 'node:timers/promises';
import { lockHolder } from './cloud-lock.js';
import { readCloudState, type CloudState } from './cloud-state.js';

/**
 * How {@link awaitCloudState} waits.
 *
 * @example
 * const options: AwaitCloudOptions = { graceMs: 3_000, timeoutMs: 180_000, onStarting: (pid) => log(`waiting for ${pid}`) };
 */
export interface AwaitCloudOptions {
  /** How long to wait for a start to show at all (its lock), for a `cloud start &` run a moment before. Default 3 s. */
  readonly graceMs?: number;
  /** How long to wait for a cloud that is starting (a first start creates its cluster). Default 180 s. */
  readonly timeoutMs?: number;
  /** Told once, with the starting process's pid, when the wait is for a cloud starting. */
  readonly onStarting?: (pid: number) => void;
}

const POLL_MS = 100;

/**
 * The state of the cloud running on `dataDir`, waiting for one that is starting there
 * (its lock is held, its state not yet written) until it is ready: `equinox cloud start
 * --data DIR &` followed at once by `equinox init --local` works as written. `undefined`
 * when no cloud runs or starts there, or the start did not finish within `timeoutMs`
 * (its process stopped, or it is still creating its cluster).
 *
 * @example
 * const cloud = await awaitCloudState('.equinox/cloud');
 * if (!cloud) throw new Error('start it with: equinox cloud start');
 */
export async function awaitCloudState(dataDir: string, options: AwaitCloudOptions = {}): Promise<CloudState | undefined> {
  const started = Date.now();
  const graceMs = options.graceMs ?? 3_000;
  const timeoutMs = options.timeoutMs ?? 180_000;
  let told = false;
  for (;;) {
    const state = readCloudState(dataDir);
    if (state !== undefined) return state;
    const elapsed = Date.now() - started;
    const starting = lockHolder(dataDir);
    if (starting === undefined ? elapsed >= graceMs : elapsed >= timeoutMs) return undefined;
    if (starting !== undefined && !told) {
      told = true;
      options.onStarting?.(starting);
    }
    await sleep(POLL_MS);
  }
}
