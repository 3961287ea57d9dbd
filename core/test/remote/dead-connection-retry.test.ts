import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it, onTestFinished } from 'vitest';
import { retryingDeadConnections } from '../../src/remote/index.js';

/**
 * A real HTTP server, in its own process, standing for a cloud that closed its idle
 * connections while the device could not notice (asleep, or its event loop held): a
 * connection's first request, and any `/warm-up`, is answered with keep-alive; any other
 * request on a connection that served before is dropped unanswered.
 */
const SERVER = `
const http = require('node:http');
const served = new WeakMap();
const server = http.createServer((req, res) => {
  const count = (served.get(req.socket) ?? 0) + 1;
  served.set(req.socket, count);
  if (count > 1 && !req.url.startsWith('/warm-up')) { req.socket.destroy(); return; }
  let body = '';
  req.on('data', (chunk) => { body += chunk; });
  req.on('end', () => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ method: req.method, path: req.url, body }));
  });
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
`;

/** A server of its own for the test: fetch pools connections per origin, so no test sees another's. */
async function startServer(): Promise<string> {
  const server: ChildProcess = spawn(process.execPath, ['-e', SERVER], { stdio: ['pipe', 'pipe', 'inherit'] });
  onTestFinished(async () => {
    server.stdin?.end();
    if (server.exitCode === null) await once(server, 'exit');
  });
  const [port] = (await once(server.stdout!, 'data')) as [Buffer];
  return `http://127.0.0.1:${String(port).trim()}`;
}

/** `connections` requests at once leave as many kept-alive connections idle in the pool; the next request reuses one. */
async function afterWarmUp(base: string, connections = 1): Promise<void> {
  await Promise.all(Array.from({ length: connections }, async () => (await fetch(`${base}/warm-up`)).text()));
  await sleep(50);
}

describe('a request on a connection the cloud had closed', () => {
  it('fails without the retry: the scenario is real', async () => {
    const base = await startServer();
    await afterWarmUp(base);
    await expect(fetch(`${base}/rest/v1/rpc/eq_health`, { method: 'POST', body: '{}' })).rejects.toMatchObject({ cause: { code: 'UND_ERR_SOCKET' } });
  });

  it("is sent again for the engine's protocol calls, body and all, with several idle connections in the pool", async () => {
    const base = await startServer();
    const retrying = retryingDeadConnections(fetch);
    await afterWarmUp(base, 3);
    const response = await retrying(`${base}/rest/v1/rpc/eq_push?columns=p_table`, { method: 'POST', body: '{"p_table":"clients"}' });
    expect(await response.json()).toEqual({ method: 'POST', path: '/rest/v1/rpc/eq_push?columns=p_table', body: '{"p_table":"clients"}' });
    await afterWarmUp(base);
    expect(await (await retrying(`${base}/rest/v1/clients?select=id`)).json()).toMatchObject({ method: 'GET' });
  });

  it("is not repeated for a plugin's own function, which may not be idempotent", async () => {
    const base = await startServer();
    await afterWarmUp(base);
    await expect(retryingDeadConnections(fetch)(`${base}/rest/v1/rpc/issue_invoice`, { method: 'POST', body: '{}' })).rejects.toMatchObject({
      cause: { code: 'UND_ERR_SOCKET' },
    });
  });
});
