import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import pg from 'pg';
import { WebSocketServer } from 'ws';
import { MAX_BODY_BYTES } from '../body-limit.js';
import { BroadcastListener } from './broadcast-listener.js';
import { ChannelAuthoriser } from './channel-authoriser.js';
import { checkChannelToken } from './channel-token.js';
import { serializerVersion } from './phoenix-frames.js';
import { SocketSession } from './socket-session.js';

/** Where the service finds the database and the project's JWT secret. */
export interface RealtimeServiceOptions {
  /** The owner role's URL: it listens, and probes policies as the API roles granted to it. */
  readonly pgUrl: string;
  readonly jwtSecret: string;
  /** Default 60 s, Phoenix's: realtime-js sends a heartbeat every 25 s. */
  readonly idleTimeoutMs?: number;
  readonly onLog?: (line: string) => void;
}

/**
 * The local cloud's Realtime: what the gateway hands a `/realtime/v1/websocket` upgrade to,
 * once the `apikey` passed.
 *
 * @example
 * server.on('upgrade', (req, socket, head) => realtime.handleUpgrade(req, socket, head, apiKey));
 */
export interface RealtimeService {
  /** Takes over an upgrade request whose `apikey` the gateway accepted. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, apiKey: string): void;
  /**
   * Closes, from the server side, every socket with a channel joined on `topic` (as
   * `realtime.messages` names it, e.g. `equinox:store-1`), or every socket; returns how
   * many. Clients reconnect and rejoin by themselves, as after a Realtime restart.
   */
  disconnect(topic?: string): number;
  /** Closes every socket and the database connections. */
  close(): Promise<void>;
}

/**
 * Serves Supabase Realtime's protocol for broadcast channels, fed by the database:
 * `realtime.send(...)` in a committed transaction reaches every socket whose channel is
 * joined on that topic (private messages only private channels, which the database
 * authorised at join). One connection listens; a small pool checks joins.
 *
 * @example
 * const realtime = startRealtimeService({ pgUrl: cloud.pgUrl, jwtSecret: cloud.jwtSecret });
 * // … hand it to the gateway; at the end:
 * await realtime.close();
 */
export function startRealtimeService(options: RealtimeServiceOptions): RealtimeService {
  const onLog = options.onLog ?? (() => undefined);
  const key = new TextEncoder().encode(options.jwtSecret);
  const pool = new pg.Pool({ connectionString: options.pgUrl, application_name: 'equinox-realtime-authoriser', max: 4, idleTimeoutMillis: 10_000 });
  pool.on('error', (error) => onLog(`realtime: an idle authorisation connection failed: ${error.message}`));
  const authoriser = new ChannelAuthoriser(pool);
  const sessions = new Set<SocketSession>();
  const listener = new BroadcastListener({
    connectionString: options.pgUrl,
    onBroadcast: (broadcast) => {
      for (const session of sessions) session.deliver(broadcast);
    },
    onLog,
  });
  listener.start();
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_BODY_BYTES });

  return {
    handleUpgrade(req, socket, head, apiKey) {
      const version = serializerVersion(new URL(req.url ?? '/', 'http://gateway').searchParams.get('vsn'));
      if (version === undefined) {
        socket.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        const session = new SocketSession(ws, {
          version,
          apiKey,
          checkToken: (token) => checkChannelToken(token, key),
          canRead: (topic, reader) => authoriser.canRead(topic, reader),
          idleTimeoutMs: options.idleTimeoutMs ?? 60_000,
          onLog,
        });
        sessions.add(session);
        ws.on('close', () => sessions.delete(session));
      });
    },
    disconnect(topic) {
      const chosen = [...sessions].filter((session) => topic === undefined || session.hasTopic(topic));
      for (const session of chosen) session.disconnect('server requested disconnect');
      return chosen.length;
    },
    async close() {
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await listener.stop();
      await pool.end().catch(() => undefined);
    },
  };
}
