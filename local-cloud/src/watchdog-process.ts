/**
 * The watchdog's own process. Linux does not end children when their parent dies, so a
 * crashed parent would leave Postgres and PostgREST running. The parent holds this
 * process's stdin open; the kernel closes it when the parent dies, however it dies.
 * On that end of input, everything still watched is stopped and every temp path removed.
 *
 * Input: one JSON object a line — `{ "watch": pid, "signal": "SIGQUIT" }`,
 * `{ "unwatch": pid }`, `{ "remove": path }`, `{ "release": true }` (the parent
 * cleaned up itself; exit without touching anything).
 */
import { rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { isProcessAlive } from './process-alive.js';

const watched = new Map<number, NodeJS.Signals>();
const removals = new Set<string>();
let released = false;

createInterface({ input: process.stdin }).on('line', (line) => {
  try {
    const message = JSON.parse(line) as { watch?: number; signal?: NodeJS.Signals; unwatch?: number; remove?: string; release?: boolean };
    if (typeof message.watch === 'number') watched.set(message.watch, message.signal ?? 'SIGTERM');
    if (typeof message.unwatch === 'number') watched.delete(message.unwatch);
    if (typeof message.remove === 'string') removals.add(message.remove);
    if (message.release === true) released = true;
  } catch {
    // A torn line from a dying parent carries nothing we could act on.
  }
});

process.stdin.on('end', () => {
  if (released) process.exit(0);
  void cleanUp().finally(() => process.exit(0));
});
// The parent's terminal may send the group a SIGINT on Ctrl-C; cleaning up is this process's job, so it stays.
process.on('SIGINT', () => undefined);
process.on('SIGHUP', () => undefined);

async function cleanUp(): Promise<void> {
  for (const [pid, signal] of watched) send(pid, signal);
  const deadline = Date.now() + 5_000;
  while ([...watched.keys()].some(isProcessAlive) && Date.now() < deadline) await sleep(50);
  for (const pid of watched.keys()) if (isProcessAlive(pid)) send(pid, 'SIGKILL');
  while ([...watched.keys()].some(isProcessAlive) && Date.now() < deadline + 2_000) await sleep(50);
  for (const path of removals) rmSync(path, { recursive: true, force: true });
}

function send(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
