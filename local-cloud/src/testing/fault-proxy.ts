import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * What the proxy does to traffic, switchable at any time:
 * - `pass`: forwards both ways.
 * - `latency`: holds every chunk `ms` milliseconds before forwarding it.
 * - `stall`: accepts connections and reads requests but never answers.
 * - `cut`: forwards the request, then cuts the connection after `afterBytes` bytes of the answer.
 * - `refuse`: stops listening, so connections are refused.
 */
export type FaultMode =
  | { readonly kind: 'pass' }
  | { readonly kind: 'latency'; readonly ms: number }
  | { readonly kind: 'stall' }
  | { readonly kind: 'cut'; readonly afterBytes: number }
  | { readonly kind: 'refuse' };

/** A running fault proxy. */
export interface FaultProxy {
  /** `http://127.0.0.1:<port>`: give it to the client instead of the real URL. */
  readonly url: string;
  readonly port: number;
  /** Switches the mode; open connections are cut so the new mode applies at once. */
  setMode(mode: FaultMode): Promise<void>;
  /** Connections accepted so far. */
  readonly connections: number;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/**
 * A loopback TCP proxy between a client and a local server that can add latency,
 * stall, cut connections mid-answer and refuse connections. It only ever connects to
 * loopback addresses.
 *
 * @example
 * const proxy = await startFaultProxy(new URL(cloud.url));
 * const remote = new SupabaseRemote({ url: proxy.url, key });
 * await proxy.setMode({ kind: 'cut', afterBytes: 200 });
 */
export async function startFaultProxy(target: { hostname: string; port: string | number }): Promise<FaultProxy> {
  if (!LOOPBACK.has(target.hostname)) throw new Error(`the fault proxy only targets loopback, not ${target.hostname}`);
  const targetPort = Number(target.port);
  let mode: FaultMode = { kind: 'pass' };
  let connections = 0;
  const open = new Set<Socket>();

  const handle = (client: Socket): void => {
    connections += 1;
    open.add(client);
    client.on('close', () => open.delete(client));
    client.on('error', () => undefined);
    const current = mode;
    if (current.kind === 'stall') {
      client.resume(); // read and drop: the request is taken, no answer ever comes
      return;
    }
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
    open.add(upstream);
    upstream.on('close', () => (open.delete(upstream), client.destroy()));
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    forward(client, upstream, current, false);
    forward(upstream, client, current, true);
  };

  let server = await listen(createServer(handle), 0);
  const port = (server.address() as { port: number }).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get connections() {
      return connections;
    },
    async setMode(next) {
      const wasRefusing = mode.kind === 'refuse';
      mode = next;
      for (const socket of open) socket.destroy();
      if (next.kind === 'refuse' && !wasRefusing) await closeServer(server);
      if (next.kind !== 'refuse' && wasRefusing) server = await listen(createServer(handle), port);
      // Give clients a moment to see their pooled connections close, so the next request
      // meets the new mode rather than a socket that died under it.
      await new Promise((resolve) => setTimeout(resolve, 20));
    },
    async close() {
      for (const socket of open) socket.destroy();
      if (mode.kind !== 'refuse') await closeServer(server);
    },
  };
}

function forward(from: Socket, to: Socket, mode: FaultMode, isAnswer: boolean): void {
  let sent = 0;
  // Delayed chunks and the end of the stream keep their order through one chain.
  let delayed = Promise.resolve();
  from.on('data', (chunk: Buffer) => {
    if (mode.kind === 'latency') {
      const ms = mode.ms;
      delayed = delayed.then(() => new Promise((resolve) => setTimeout(resolve, ms))).then(() => void (to.destroyed || to.write(chunk)));
      return;
    }
    if (mode.kind === 'cut' && isAnswer) {
      const room = mode.afterBytes - sent;
      if (room <= 0) return void (to.destroy(), from.destroy());
      if (chunk.length > room) {
        to.write(chunk.subarray(0, room), () => (to.destroy(), from.destroy()));
        sent += room;
        return;
      }
      sent += chunk.length;
    }
    to.write(chunk);
  });
  from.on('end', () => void delayed.then(() => to.end()));
}

function listen(server: Server, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
