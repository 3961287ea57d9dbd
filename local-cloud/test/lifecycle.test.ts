import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startLocalCloud } from '../src/index.js';
import { isProcessAlive } from '../src/process-alive.js';

function acceptsConnections(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return condition();
}

describe('local cloud lifecycle', () => {
  it('stop() leaves no process, port or temp dir behind', async () => {
    const cloud = await startLocalCloud();
    const pids = cloud.processIds();
    expect(isProcessAlive(pids.postgres)).toBe(true);
    expect(isProcessAlive(pids.postgrest)).toBe(true);
    expect(await acceptsConnections(cloud.url)).toBe(true);

    await cloud.stop();
    await cloud.stop(); // idempotent

    expect(isProcessAlive(pids.postgres)).toBe(false);
    expect(isProcessAlive(pids.postgrest)).toBe(false);
    expect(await waitUntil(() => !isProcessAlive(pids.watchdog), 5_000)).toBe(true);
    expect(existsSync(cloud.dataDir)).toBe(false);
    expect(await acceptsConnections(cloud.url)).toBe(false);
    expect(await acceptsConnections(cloud.pgUrl.replace('postgres://', 'http://'))).toBe(false);
  });

  it('a parent killed with SIGKILL leaves no Postgres or PostgREST running', async () => {
    const entry = fileURLToPath(new URL('../dist/index.js', import.meta.url));
    const script = `
      const { startLocalCloud } = await import(${JSON.stringify(entry)});
      const cloud = await startLocalCloud();
      console.log(JSON.stringify({ dataDir: cloud.dataDir, url: cloud.url, ...cloud.processIds() }));
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const started = await new Promise<{ dataDir: string; url: string; postgres: number; postgrest: number }>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const line = out.split('\n')[0];
        if (out.includes('\n') && line) resolve(JSON.parse(line));
      });
      child.once('exit', (code) => reject(new Error(`child exited early with ${code}`)));
    });
    expect(isProcessAlive(started.postgres)).toBe(true);
    expect(isProcessAlive(started.postgrest)).toBe(true);

    child.kill('SIGKILL');

    expect(await waitUntil(() => !isProcessAlive(started.postgres) && !isProcessAlive(started.postgrest), 15_000)).toBe(true);
    expect(await waitUntil(() => !existsSync(started.dataDir), 5_000)).toBe(true);
    expect(await acceptsConnections(started.url)).toBe(false);
  });

  it('leaves the exit code its process set: a run that failed after stopping its cloud still exits non-zero', async () => {
    const entry = fileURLToPath(new URL('../dist/index.js', import.meta.url));
    // What a test runner does: start and stop a cloud, set the code, let the event loop drain.
    const script = `
      const { startLocalCloud } = await import(${JSON.stringify(entry)});
      const cloud = await startLocalCloud();
      await cloud.stop();
      process.exitCode = 3;
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect({ code, stderr }).toEqual({ code: 3, stderr: '' });
  });
});
