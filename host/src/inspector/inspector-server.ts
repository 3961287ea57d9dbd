import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Subject } from 'rxjs';
import type { EquinoxHost } from '../host/equinox-host.js';
import { answerApi } from './api-routes.js';
import { streamEvents } from './event-stream.js';
import { answerEmpty, answerJson, HttpError } from './http-answers.js';
import { checkHost, checkPost, newSecret, sameSecret } from './request-guard.js';
import { PAGE_DIR, serveStatic } from './static-files.js';

/**
 * Options of {@link serveInspector}.
 *
 * @example
 * const options: InspectorOptions = { port: 4711 };
 */
export interface InspectorOptions {
  /** The port; default 0, a free one (the URL tells which). */
  readonly port?: number;
  /** Where to listen: `127.0.0.1` (the default) or `localhost`; any other address is refused, the page is for this machine only. */
  readonly host?: string;
  /** The page's files; default the folder shipped with this package. */
  readonly pageDir?: string;
}

/**
 * A running inspector: its URL (the secret included) and how to stop it.
 *
 * @example
 * const inspector: Inspector = await serveInspector(host);
 * console.log(inspector.url);
 * await inspector.close();
 */
export interface Inspector {
  /** `http://127.0.0.1:<port>/<secret>/`: whoever has it can settle the device's conflicts and deletes. */
  readonly url: string;
  /** Stops serving and ends the open event streams; the host is left running. Idempotent. */
  close(): Promise<void>;
}

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost']);

/**
 * Serves the device inspector of `host` — a web page with its live status, upload queue,
 * failures, conflicts side by side, held deletes, recent runs and the plugins' panels,
 * where a person can settle conflicts and confirm deletes — on 127.0.0.1 only, under a
 * random secret path (anything else is an empty 404). Requests must name the server by
 * its loopback name (`Host`), actions must be JSON from the page's own origin, and every
 * answer forbids caching, framing and foreign scripts. Runs until `close()`; the host's
 * sync goes on as it was (call `host.start()` for the page to follow automatic sync).
 *
 * @example
 * const host = await createHost({ config: 'equinox.config.json' });
 * await host.start();
 * const inspector = await serveInspector(host, { port: 4711 });
 * console.log(`open ${inspector.url}`);
 * // …
 * await inspector.close();
 * await host.dispose();
 */
export async function serveInspector(host: EquinoxHost, options: InspectorOptions = {}): Promise<Inspector> {
  const bind = options.host ?? '127.0.0.1';
  if (!LOOPBACK_NAMES.has(bind)) throw new Error(`the inspector serves this machine only: host must be 127.0.0.1 or localhost, not "${bind}"`);
  const port = options.port ?? 0;
  if (!Number.isSafeInteger(port) || port < 0 || port > 65535) throw new RangeError(`port must be a whole number from 0 to 65535, got ${port}`);
  const secret = newSecret();
  const actions = new Subject<void>();
  const streams = new Set<() => void>();
  const pageDir = options.pageDir ?? PAGE_DIR;
  const server = createServer((request, response) => {
    answer(request, response).catch((error: unknown) => fail(response, error));
  });

  async function answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    const [, first = '', ...rest] = path.split('/');
    if (!sameSecret(first, secret)) return answerEmpty(response, 404);
    checkHost(request, portOf(server));
    // The page's relative links need the trailing slash.
    if (rest.length === 0) return answerEmpty(response, 308, { Location: `/${secret}/` });
    const route = rest.join('/');
    if (route.startsWith('api/')) {
      if (request.method === 'POST') checkPost(request, portOf(server));
      if (route === 'api/events' && request.method === 'GET') {
        const stop = streamEvents(response, host, actions);
        streams.add(stop);
        request.on('close', () => {
          stop();
          streams.delete(stop);
        });
        return;
      }
      return answerApi(request, response, route.slice('api/'.length), { host, actions });
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') throw new HttpError(405, 'the page\'s files answer GET only');
    return serveStatic(response, pageDir, route);
  }

  await listen(server, port, '127.0.0.1');
  const url = `http://127.0.0.1:${portOf(server)}/${secret}/`;
  let closing: Promise<void> | undefined;
  return {
    url,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        for (const stop of streams) stop();
        streams.clear();
        actions.complete();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/** An error as JSON with its status; anything not an {@link HttpError} is a 500 with its message. */
function fail(response: ServerResponse, error: unknown): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  const status = error instanceof HttpError ? error.status : 500;
  answerJson(response, status, { error: error instanceof Error ? error.message : String(error) });
}

function listen(server: Server, port: number, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException): void => {
      reject(error.code === 'EADDRINUSE' ? Object.assign(new Error(`port ${port} is in use`, { cause: error }), { code: 'EADDRINUSE' }) : error);
    };
    server.once('error', failed);
    server.listen(port, address, () => {
      server.off('error', failed);
      resolve();
    });
  });
}

function portOf(server: Server): number {
  return (server.address() as AddressInfo).port;
}
