import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  isRetryableFailure,
  redactSecrets,
  RemoteProtocolError,
  RemoteRejectedError,
  RemoteTimeoutError,
  RemoteUnavailableError,
  SupabaseRemote,
  toRemoteError,
  type RemoteFailure,
} from '../src/remote/index.js';

const KEY = 'eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiYW5vbiJ9.c2lnbmF0dXJlLW9mLXRoZS1rZXk';
const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJ0ZW5hbnRfaWQiOiJ0MSJ9.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg';

describe('which failures are worth retrying', () => {
  const cases: Array<[string, RemoteFailure, boolean]> = [
    ['no response (network down)', { status: 0, message: 'TypeError: fetch failed' }, true],
    ['gateway error without a code', { status: 502, message: 'Bad Gateway' }, true],
    ['service unavailable', { status: 503 }, true],
    ['PostgREST cannot reach the database', { status: 503, code: 'PGRST001' }, true],
    ['pool timeout', { status: 504, code: 'PGRST003' }, true],
    ['serialization failure', { status: 500, code: '40001' }, true],
    ['deadlock', { status: 500, code: '40P01' }, true],
    ['statement timeout', { status: 500, code: '57014' }, true],
    ['connection lost', { status: 503, code: '08006' }, true],
    ['rate limited', { status: 429 }, true],
    ['row-level security', { status: 403, code: '42501' }, false],
    ['permission denied (401)', { status: 401, code: '42501' }, false],
    ['unique violation', { status: 409, code: '23505' }, false],
    ['not-null violation', { status: 400, code: '23502' }, false],
    ['raised exception', { status: 400, code: 'P0001' }, false],
    ['a push over its row or byte cap', { status: 400, code: '54000' }, false],
    ['a push gate refusing (uploads paused)', { status: 400, code: 'EQ402' }, false],
    ['invalid JWT', { status: 401, code: 'PGRST301' }, false],
    ['unknown function', { status: 404, code: 'PGRST202' }, false],
    ['unknown table', { status: 404, code: '42P01' }, false],
    ['bad request without a code', { status: 400 }, false],
  ];
  for (const [what, failure, retryable] of cases) {
    it(`${what}: ${retryable ? 'retryable' : 'final'}`, () => {
      expect(isRetryableFailure(failure)).toBe(retryable);
      const error = toRemoteError(failure, { operation: 'push', table: 'notes' });
      expect(error.retryable).toBe(retryable);
      expect(error).toBeInstanceOf(retryable ? RemoteUnavailableError : RemoteRejectedError);
      expect(error.status).toBe(failure.status);
      expect(error.code).toBe(failure.code);
    });
  }

  it('reports a timeout as a retryable RemoteTimeoutError', () => {
    const error = toRemoteError({ status: 0, message: 'AbortError: aborted' }, { operation: 'pull', table: 'notes', timedOut: true, timeoutMs: 250 });
    expect(error).toBeInstanceOf(RemoteTimeoutError);
    expect(error.retryable).toBe(true);
    expect(error.message).toBe('pull "notes" timed out after 250 ms');
  });

  it('keeps the Postgres code, the message and the hint', () => {
    const error = toRemoteError(
      { status: 403, code: '42501', message: 'new row violates row-level security policy', hint: 'check the tenant' },
      { operation: 'push', table: 'notes' },
    );
    expect(error.message).toBe('push "notes" failed: new row violates row-level security policy (code 42501, HTTP 403)');
    expect(error.hint).toBe('check the tenant');
    expect(error.name).toBe('RemoteRejectedError');
  });
});

describe('secrets never reach an error', () => {
  it('scrubs the given secrets and anything shaped like a token or key', () => {
    const text = `key ${KEY} token ${TOKEN} header Bearer abc.def new sb_secret_AbCd1234_xyz other eyJa.eyJb.sig`;
    const scrubbed = redactSecrets(text, [KEY, TOKEN]);
    expect(scrubbed).not.toContain(KEY);
    expect(scrubbed).not.toContain(TOKEN);
    expect(scrubbed).not.toContain('abc.def');
    expect(scrubbed).not.toContain('sb_secret_AbCd1234_xyz');
    expect(scrubbed).not.toContain('eyJa.eyJb.sig');
  });

  it('scrubs every field of a mapped error', () => {
    const failure = { status: 401, code: 'PGRST301', message: `JWT ${TOKEN} invalid`, details: `apikey=${KEY}`, hint: `Bearer ${TOKEN}` };
    const error = toRemoteError(failure, { operation: 'pull', secrets: [KEY, TOKEN] });
    const everything = JSON.stringify({ ...error, message: error.message, stack: error.stack });
    expect(everything).not.toContain(KEY);
    expect(everything).not.toContain(TOKEN);
  });
});

describe('SupabaseRemote against real sockets', () => {
  let server: Server | undefined;
  afterEach(async () => {
    const open = server;
    server = undefined;
    if (open === undefined) return;
    const closed = new Promise<void>((resolve) => open.close(() => resolve()));
    // A server that never answers keeps its sockets: cut them, or close() waits for them.
    open.closeAllConnections();
    await closed;
  });

  async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
    server = createServer(handler);
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async function closedPort(): Promise<string> {
    const url = await serve(() => undefined);
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    server = undefined;
    return url;
  }

  it('turns a refused connection into a retryable error that carries no secret', async () => {
    const remote = new SupabaseRemote({ url: await closedPort(), key: KEY, accessToken: TOKEN });
    const error = await remote.push('notes', [{ row: { id: 'a' }, base_version: null }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteUnavailableError);
    expect(error).toMatchObject({ retryable: true, status: 0, operation: 'push', table: 'notes' });
    expect((error as Error).message).toMatch(/unreachable \(ECONNREFUSED\)/);
    const everything = JSON.stringify({ ...(error as object), message: (error as Error).message, stack: (error as Error).stack });
    expect(everything).not.toContain(KEY);
    expect(everything).not.toContain(TOKEN);
  });

  it('reports offline from the health probe when the cloud is unreachable', async () => {
    const remote = new SupabaseRemote({ url: await closedPort(), key: KEY });
    const health = await remote.health(1_000);
    expect(health.online).toBe(false);
    expect(health.error?.retryable).toBe(true);
  });

  it('gives up after its time budget with a RemoteTimeoutError', async () => {
    const url = await serve(() => undefined); // accepts, never answers
    const remote = new SupabaseRemote({ url, key: KEY, accessToken: TOKEN }, { timeoutMs: 200 });
    const started = Date.now();
    await expect(remote.pull('notes', null, 10)).rejects.toBeInstanceOf(RemoteTimeoutError);
    expect(Date.now() - started).toBeLessThan(2_000);
    const health = await remote.health(150);
    expect(health).toMatchObject({ online: false, error: expect.any(RemoteTimeoutError) });
  });

  it('treats a 503 from the gateway as retryable', async () => {
    const url = await serve((_req, res) => res.writeHead(503, { 'content-type': 'application/json' }).end('{"message":"upstream down"}'));
    const error = await new SupabaseRemote({ url, key: KEY }).pull('notes', null, 10).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteUnavailableError);
    expect(error).toMatchObject({ status: 503, retryable: true });
  });

  it('refuses an answer that is not the sync protocol', async () => {
    const url = await serve((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"hello":"world"}'));
    const remote = new SupabaseRemote({ url, key: KEY });
    await expect(remote.pull('notes', null, 10)).rejects.toBeInstanceOf(RemoteProtocolError);
    await expect(remote.push('notes', [{ row: { id: 'a' }, base_version: null }])).rejects.toMatchObject({ retryable: false, name: 'RemoteProtocolError' });
  });

  it('refuses an unsafe table name before any request', async () => {
    const remote = new SupabaseRemote({ url: await closedPort(), key: KEY });
    await expect(remote.pull('notes; drop', null, 10)).rejects.toThrow(TypeError);
  });
});
