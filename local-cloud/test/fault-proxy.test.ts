import { afterEach, describe, expect, inject, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from '../src/testing/index.js';

const cloud = inject('cloud');
let proxy: FaultProxy | undefined;

afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

async function health(url: string, timeoutMs = 2_000): Promise<number | string> {
  try {
    const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(timeoutMs) });
    await response.text();
    return response.status;
  } catch (error) {
    return (error as Error).name === 'TimeoutError' ? 'timeout' : 'failed';
  }
}

describe('fault proxy', () => {
  it('passes traffic, then refuses, stalls, cuts and delays it on demand', async () => {
    proxy = await startFaultProxy(new URL(cloud.url));
    expect(await health(proxy.url)).toBe(200);

    await proxy.setMode({ kind: 'refuse' });
    expect(await health(proxy.url)).toBe('failed');

    await proxy.setMode({ kind: 'stall' });
    expect(await health(proxy.url, 300)).toBe('timeout');

    await proxy.setMode({ kind: 'cut', afterBytes: 20 });
    expect(await health(proxy.url)).toBe('failed');

    await proxy.setMode({ kind: 'latency', ms: 150 });
    const started = Date.now();
    expect(await health(proxy.url)).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);

    await proxy.setMode({ kind: 'pass' });
    expect(await health(proxy.url)).toBe(200);
  });

  it('never targets anything but loopback', async () => {
    await expect(startFaultProxy({ hostname: '10.0.0.1', port: 80 })).rejects.toThrow(/only targets loopback/);
  });
});
