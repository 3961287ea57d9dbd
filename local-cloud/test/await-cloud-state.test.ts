import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { awaitCloudState, type CloudState } from '../src/index.js';
import { writeCloudState } from '../src/cloud-state.js';
import { processStart } from '../src/process-identity.js';

// What `init --local` and `cloud sql --apply` wait on: the state file a starting cloud
// writes once ready, behind the lock it takes first. No cloud runs here: the files are
// written as a starting `cloud start` (this very process, so alive) writes them.

const parents: string[] = [];
afterAll(() => parents.forEach((parent) => rmSync(parent, { recursive: true, force: true })));

function dataDir(): string {
  const parent = mkdtempSync(join(tmpdir(), 'equinox-await-'));
  parents.push(parent);
  return parent;
}

/** The lock a start takes before anything else, held by this (live) process. */
function holdLock(dir: string): void {
  writeFileSync(join(dir, 'cloud.lock'), `${JSON.stringify({ pid: process.pid, start: processStart(process.pid) })}\n`);
}

function readyState(dir: string): CloudState {
  return { url: 'http://127.0.0.1:1', anonKey: 'a', serviceKey: 's', pgUrl: 'postgres://x', dataDir: dir, pid: process.pid, ...(processStart(process.pid) === undefined ? {} : { processStart: processStart(process.pid)! }) };
}

describe('awaitCloudState', () => {
  it('answers at once for a cloud that runs', async () => {
    const dir = dataDir();
    holdLock(dir);
    writeCloudState(readyState(dir));
    const started = Date.now();
    expect(await awaitCloudState(dir, { graceMs: 5_000 })).toMatchObject({ url: 'http://127.0.0.1:1', dataDir: dir });
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('waits for a cloud still starting (its lock held, no state yet), saying so once', async () => {
    const dir = dataDir();
    holdLock(dir);
    const told: number[] = [];
    setTimeout(() => writeCloudState(readyState(dir)), 400);
    const state = await awaitCloudState(dir, { graceMs: 50, timeoutMs: 10_000, onStarting: (pid) => told.push(pid) });
    expect(state).toMatchObject({ dataDir: dir, pid: process.pid });
    expect(told).toEqual([process.pid]);
  });

  it('waits out the grace for a start not yet seen, then answers undefined when none came', async () => {
    const dir = dataDir();
    const started = Date.now();
    expect(await awaitCloudState(dir, { graceMs: 300 })).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    // A start that shows within the grace is waited for.
    const later = dataDir();
    setTimeout(() => holdLock(later), 100);
    setTimeout(() => writeCloudState(readyState(later)), 500);
    expect(await awaitCloudState(later, { graceMs: 300, timeoutMs: 10_000 })).toMatchObject({ dataDir: later });
  });

  it('gives up on a start that does not finish in time, and on a lock whose process is gone', async () => {
    const dir = dataDir();
    holdLock(dir);
    expect(await awaitCloudState(dir, { graceMs: 50, timeoutMs: 300 })).toBeUndefined();
    const stale = dataDir();
    writeFileSync(join(stale, 'cloud.lock'), `${JSON.stringify({ pid: 2 ** 22 + 1 })}\n`);
    const started = Date.now();
    expect(await awaitCloudState(stale, { graceMs: 200, timeoutMs: 60_000 })).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
