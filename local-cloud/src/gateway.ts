import { Agent, createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BodyLimit, declaresTooLarge, MAX_BODY_BYTES, refuseTooLarge } from './body-limit.js';

/** What the gateway needs to know about the services behind it. */
export interface GatewayOptions {
  /** Port to listen on; 0 picks a free one. */
  readonly port: number;
  readonly postgrestPort: number;
  readonly postgrestAdminPort: number;
  /** The role of an `apikey` signed by this cloud (`anon` or `service_role`), else `undefined`. */
  readonly apiKeyRole: (key: string) => Promise<string | undefined>;
  /** Makes PostgREST reload its schema cache and resolves once it has. */
  readonly reloadSchema: () => Promise<void>;
}

/** A running gateway. */
export interface Gateway {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const REST_PREFIX = '/rest/v1';
const RELOAD_PATH = '/equinox/v1/reload-schema';

/**
 * The local stand-in for Supabase's API gateway: `/rest/v1/...` goes to PostgREST when
 * the request carries a valid `apikey` (header or query parameter), otherwise 401 as
 * Supabase answers; a body over 4 MiB is refused with 413, by its `Content-Length` up
 * front or, when chunked, as soon as it streams past the cap; `/health` says whether
 * PostgREST is ready. One path exists only here: `POST /equinox/v1/reload-schema`
 * (service key only) reloads PostgREST's schema cache and answers when it is done, so a
 * migration applied by any process is usable on the next request.
 *
 * @example
 * const gateway = await startGateway({ port: 0, postgrestPort, postgrestAdminPort, isApiKey });
 * createClient(gateway.url, anonKey);
 */
export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const server = createServer((req, res) => {
    void route(req, res, options, agent).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 502, { message: 'gateway error', details: String(error) });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () => closeServer(server, agent),
  };
}

async function route(req: IncomingMessage, res: ServerResponse, options: GatewayOptions, agent: Agent): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://gateway');
  if (url.pathname === '/health') {
    const ready = await fetch(`http://127.0.0.1:${options.postgrestAdminPort}/ready`).then(
      (r) => r.status === 200,
      () => false,
    );
    sendJson(res, ready ? 200 : 503, { status: ready ? 'ok' : 'unavailable' });
    return;
  }
  const isRest = url.pathname === REST_PREFIX || url.pathname.startsWith(`${REST_PREFIX}/`);
  if (!isRest && url.pathname !== RELOAD_PATH) {
    sendJson(res, 404, { message: 'no route matched with those values' });
    return;
  }
  if (declaresTooLarge(req, MAX_BODY_BYTES)) {
    refuseTooLarge(req, res, MAX_BODY_BYTES);
    return;
  }
  const apiKey = headerValue(req, 'apikey') ?? url.searchParams.get('apikey') ?? undefined;
  if (apiKey === undefined) {
    sendJson(res, 401, { message: 'No API key found in request', hint: 'No `apikey` request header or url param was found.' });
    return;
  }
  const role = await options.apiKeyRole(apiKey);
  if (role !== 'anon' && role !== 'service_role') {
    sendJson(res, 401, { message: 'Invalid API key', hint: 'Double check your Supabase `anon` or `service_role` API key.' });
    return;
  }
  if (url.pathname === RELOAD_PATH) {
    if (req.method !== 'POST' || role !== 'service_role') {
      sendJson(res, 403, { message: 'reloading the schema needs POST with the service key' });
      return;
    }
    await options.reloadSchema();
    res.writeHead(204).end();
    return;
  }
  url.searchParams.delete('apikey');
  const headers = { ...req.headers };
  delete headers.host;
  // Supabase's gateway uses the API key as the bearer when a request carries no session.
  if (headers.authorization === undefined) headers.authorization = `Bearer ${apiKey}`;
  const upstream = request(
    {
      host: '127.0.0.1',
      port: options.postgrestPort,
      method: req.method,
      path: `${url.pathname.slice(REST_PREFIX.length) || '/'}${url.search}`,
      headers,
      agent,
    },
    (response) => {
      res.writeHead(response.statusCode ?? 502, response.headers);
      response.pipe(res);
    },
  );
  const limit = new BodyLimit(MAX_BODY_BYTES);
  let refused = false;
  limit.once('error', () => {
    // A chunked body outgrew the cap: PostgREST never sees the end of it.
    refused = true;
    upstream.destroy();
    if (!res.headersSent) refuseTooLarge(req, res, MAX_BODY_BYTES);
    else res.destroy();
  });
  upstream.on('error', (error) => {
    if (refused) return;
    if (!res.headersSent) sendJson(res, 503, { message: 'PostgREST is unavailable', details: error.message });
    else res.destroy(error);
  });
  req.pipe(limit).pipe(upstream);
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function closeServer(server: Server, agent: Agent): Promise<void> {
  agent.destroy();
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
