import { Agent, createServer, request, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { BodyLimit, declaresTooLarge, MAX_BODY_BYTES, refuseTooLarge } from './body-limit.js';
import type { RealtimeService } from './realtime/realtime-service.js';

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
  /** Serves `/realtime/v1/websocket`; without it, that path is not found. */
  readonly realtime?: Pick<RealtimeService, 'handleUpgrade' | 'disconnect'>;
}

/** A running gateway. */
export interface Gateway {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const REST_PREFIX = '/rest/v1';
const RELOAD_PATH = '/equinox/v1/reload-schema';
const REALTIME_PATH = '/realtime/v1/websocket';
const REALTIME_DISCONNECT_PATH = '/equinox/v1/realtime/disconnect';

/** An HTTP answer the gateway gives itself: a status and a JSON body. */
interface Refusal {
  readonly status: number;
  readonly body: unknown;
}

/**
 * The local stand-in for Supabase's API gateway: `/rest/v1/...` goes to PostgREST when
 * the request carries a valid `apikey` (header or query parameter), otherwise 401 as
 * Supabase answers; a body over 4 MiB is refused with 413, by its `Content-Length` up
 * front or, when chunked, as soon as it streams past the cap; `/health` says whether
 * PostgREST is ready. `GET /realtime/v1/websocket` upgrades to Realtime's websocket under
 * the same `apikey` check (a refused upgrade gets the same 401). Two paths exist only
 * here, for the service key: `POST /equinox/v1/reload-schema` reloads PostgREST's schema
 * cache and answers when it is done, so a migration applied by any process is usable on
 * the next request; `POST /equinox/v1/realtime/disconnect[?topic=…]` closes Realtime
 * sockets from the server side (all, or those joined on a topic), for fault tests.
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
  // Upgraded sockets leave the HTTP server's bookkeeping: the gateway ends them itself on close.
  const upgraded = new Set<Duplex>();
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    upgraded.add(socket);
    socket.once('close', () => upgraded.delete(socket));
    socket.on('error', () => socket.destroy());
    void upgrade(req, socket, head, options).catch(() => socket.destroy());
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
    close: () => {
      for (const socket of upgraded) socket.destroy();
      return closeServer(server, agent);
    },
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
  const isAdmin = url.pathname === RELOAD_PATH || (url.pathname === REALTIME_DISCONNECT_PATH && options.realtime !== undefined);
  if (!isRest && !isAdmin) {
    sendJson(res, 404, { message: 'no route matched with those values' });
    return;
  }
  if (declaresTooLarge(req, MAX_BODY_BYTES)) {
    refuseTooLarge(req, res, MAX_BODY_BYTES);
    return;
  }
  const key = await checkApiKey(req, url, options);
  if ('status' in key) {
    sendJson(res, key.status, key.body);
    return;
  }
  const { apiKey, role } = key;
  if (isAdmin) {
    if (req.method !== 'POST' || role !== 'service_role') {
      sendJson(res, 403, { message: `${url.pathname} needs POST with the service key` });
      return;
    }
    if (url.pathname === REALTIME_DISCONNECT_PATH) {
      const disconnected = options.realtime?.disconnect(url.searchParams.get('topic') ?? undefined) ?? 0;
      sendJson(res, 200, { disconnected });
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

/** Realtime's websocket: the same `apikey` check as REST, then the Realtime service takes the socket. */
async function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, options: GatewayOptions): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://gateway');
  if (url.pathname !== REALTIME_PATH || options.realtime === undefined) {
    refuseUpgrade(socket, { status: 404, body: { message: 'no route matched with those values' } });
    return;
  }
  const key = await checkApiKey(req, url, options);
  if ('status' in key) refuseUpgrade(socket, key);
  else options.realtime.handleUpgrade(req, socket, head, key.apiKey);
}

/** The project's `apikey` (header or query parameter) and its role, or Supabase's 401. */
async function checkApiKey(req: IncomingMessage, url: URL, options: GatewayOptions): Promise<{ apiKey: string; role: string } | Refusal> {
  const apiKey = headerValue(req, 'apikey') ?? url.searchParams.get('apikey') ?? undefined;
  if (apiKey === undefined) {
    return { status: 401, body: { message: 'No API key found in request', hint: 'No `apikey` request header or url param was found.' } };
  }
  const role = await options.apiKeyRole(apiKey);
  if (role !== 'anon' && role !== 'service_role') {
    return { status: 401, body: { message: 'Invalid API key', hint: 'Double check your Supabase `anon` or `service_role` API key.' } };
  }
  return { apiKey, role };
}

function refuseUpgrade(socket: Duplex, refusal: Refusal): void {
  const text = JSON.stringify(refusal.body);
  socket.end(
    `HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status] ?? ''}\r\ncontent-type: application/json\r\n` +
      `content-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`,
  );
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
