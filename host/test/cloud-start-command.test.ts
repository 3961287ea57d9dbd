import { readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isProcessAlive } from '@equinox-sync/local-cloud';
import { sleep, tempDir } from '@equinox-sync/core/testing';
import { runEquinox, startEquinox } from './host-kit.js';

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

const files = (data: string): string[] => ['state.json', 'secrets.json', 'cloud.lock'].map((file) => readFileSync(join(data, file), 'utf8'));

describe('equinox cloud start / stop, as processes', () => {
  const parent = tempDir('cloud-start');
  const data = join(parent, 'cloud');
  let firstUrl = '';
  // Its cluster lives in the run's cluster folder when not under the data dir (see vitest.global-setup.ts).
  afterAll(() => rmSync(parent, { recursive: true, force: true }));

  it('refuses a second start on a running data dir, saying where it runs (exit 1, touching nothing); cloud stop stops what start started', { timeout: 90_000 }, async () => {
    const first = startEquinox(['cloud', 'start', '--data', data, '--json']);
    const ready = JSON.parse(await first.firstLine) as { url: string; pid: number; dataDir: string; postgresDir: string; warnings: string[] };
    firstUrl = ready.url;
    expect(ready).toMatchObject({ dataDir: data, pid: first.child.pid, warnings: expect.any(Array) });
    const port = Number(new URL(ready.url).port);
    // 54321 as the Supabase CLI, unless another program (or test) holds it.
    if (port !== 54321) expect(await accepts(54321)).toBe(true);
    const state = JSON.parse(readFileSync(join(data, 'state.json'), 'utf8')) as { postgresPid: number; postgrestPid: number };
    expect(isProcessAlive(state.postgresPid) && isProcessAlive(state.postgrestPid)).toBe(true);
    const before = files(data);

    const second = await runEquinox(['cloud', 'start', '--data', data]);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`already running on ${data} at ${ready.url} (pid ${ready.pid})`);
    expect(files(data)).toEqual(before);
    expect((await fetch(`${ready.url}/health`)).status).toBe(200);

    const stop = await runEquinox(['cloud', 'stop', '--data', data, '--json']);
    expect(stop.code).toBe(0);
    expect(JSON.parse(stop.stdout)).toEqual({ stopped: true, dataDir: data });
    const ended = await first.exited;
    expect(ended.code).toBe(0);
    expect(JSON.parse(ended.stdout.trim().split('\n').at(-1) ?? '')).toEqual({ stopped: true, signal: 'SIGTERM' });
    expect(isProcessAlive(state.postgresPid) || isProcessAlive(state.postgrestPid)).toBe(false);
    expect(await accepts(port)).toBe(false);
  });

  it('starts again on the same URL, names where its database lives, and on SIGINT prints "stopped" and exits 0', { timeout: 90_000 }, async () => {
    const again = startEquinox(['cloud', 'start', '--data', data]);
    const line = await again.firstLine;
    expect(line).toBe(`Local cloud ready at ${firstUrl} (pid ${again.child.pid})`);
    await sleep(200); // the rest of the banner
    again.child.kill('SIGINT');
    const ended = await again.exited;
    expect(ended.code).toBe(0);
    expect(ended.stdout).toMatch(/\n {2}database {3}\/\S+\/pg\n/);
    expect(ended.stdout.trim().split('\n').at(-1)).toBe(`SIGINT: the local cloud on ${data} stopped.`);
    expect(await accepts(Number(new URL(firstUrl).port))).toBe(false);
  });

  it('init --local run the moment `cloud start &` was, waits for the cloud starting and joins it', { timeout: 120_000 }, async () => {
    const fresh = join(parent, 'started-together');
    const cloud = startEquinox(['cloud', 'start', '--data', fresh]);
    const init = await runEquinox(['init', '--tenant', 'store-1', '--device', 'till-1', '--db', join(parent, 'till-1.db'), '--config', join(parent, 'till-1.json'), '--local', '--data', fresh]);
    // A fresh data dir takes seconds to start (its cluster is made): init saw it starting.
    expect(init.stderr).toBe(`Waiting for the local cloud starting on ${fresh} (pid ${cloud.child.pid})…\n`);
    expect(init.code).toBe(0);
    expect(init.stdout).toContain(`Wrote ${join(parent, 'till-1.json')} for tenant store-1, device till-1`);
    const sync = await runEquinox(['sync', '--config', join(parent, 'till-1.json'), '--json']);
    expect(sync.code).toBe(0);
    expect(JSON.parse(sync.stdout)).toMatchObject({ uploaded: 0, downloaded: 0, rejected: 0 });
    cloud.child.kill('SIGTERM');
    expect((await cloud.exited).code).toBe(0);
  });
});
