import type { JWTPayload } from 'jose';
import type { RawData, WebSocket } from 'ws';
import type { DatabaseBroadcast } from './broadcast-listener.js';
import type { ChannelReader, ReadDecision } from './channel-authoriser.js';
import type { AcceptedToken, RefusedToken } from './channel-token.js';
import { decodeFrame, encodeBroadcast, encodeMessage, type PhoenixMessage, type SerializerVersion } from './phoenix-frames.js';

/** What a session needs from the service that accepted its socket. */
export interface SessionContext {
  readonly version: SerializerVersion;
  /** The `apikey` the socket connected with: the token of a join that brings none, as on Supabase. */
  readonly apiKey: string;
  readonly checkToken: (token: string) => Promise<AcceptedToken | RefusedToken>;
  readonly canRead: (topic: string, reader: ChannelReader) => Promise<ReadDecision>;
  /** A socket that sends nothing (not even a heartbeat) for this long is closed, as Phoenix does. */
  readonly idleTimeoutMs: number;
  readonly onLog: (line: string) => void;
}

/** A joined channel of this socket. */
interface Channel {
  /** As the client names it on the wire: `realtime:<topic>`. */
  readonly topic: string;
  /** As `realtime.messages.topic` stores it. */
  readonly subTopic: string;
  readonly joinRef: string | null;
  readonly isPrivate: boolean;
  token: string;
  expiry: NodeJS.Timeout | undefined;
}

const TOPIC_PREFIX = 'realtime:';
/** A token's expiry is checked again at least this often (a 30-day timer would overflow). */
const MAX_CONFIRM_MS = 3_600_000;
const UNAVAILABLE = 'Realtime was unable to connect to the project database';

/**
 * One realtime-js socket: the Phoenix protocol subset a private broadcast channel uses.
 * `phx_join` on `realtime:<topic>` checks the access token and, for a private channel,
 * asks the database whether the token may read the topic; `heartbeat` on `phoenix` is
 * answered; `access_token` re-checks both and closes the channel (a `system` error, then
 * `phx_close`) when they no longer hold, as does the token's expiry; `phx_leave` closes
 * the channel. Frames of one topic are handled in order; a slow join never delays a
 * heartbeat. Replies and refusals use Supabase Realtime's shapes and reasons; a refusal
 * names only the caller's own topic.
 *
 * @example
 * wss.handleUpgrade(req, socket, head, (ws) => sessions.add(new SocketSession(ws, context)));
 */
export class SocketSession {
  private readonly channels = new Map<string, Channel>();
  private readonly queues = new Map<string, Promise<void>>();
  private readonly idle: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly context: SessionContext,
  ) {
    this.idle = setTimeout(() => ws.close(1000, 'idle timeout'), context.idleTimeoutMs);
    ws.on('message', (data, isBinary) => this.receive(data, isBinary));
    ws.on('close', () => this.dispose());
    ws.on('error', () => ws.terminate());
  }

  /** Whether a channel of this socket is joined on `subTopic` (the topic without `realtime:`). */
  hasTopic(subTopic: string): boolean {
    return [...this.channels.values()].some((channel) => channel.subTopic === subTopic);
  }

  /** Sends a database broadcast to each joined channel of its topic and kind (private or public). */
  deliver(broadcast: DatabaseBroadcast): void {
    for (const channel of this.channels.values()) {
      if (channel.subTopic !== broadcast.topic || channel.isPrivate !== broadcast.private) continue;
      const { event, payload, id } = broadcast;
      this.send(encodeBroadcast({ topic: channel.topic, event, payload, id }, this.context.version));
    }
  }

  /** Closes the socket from the server side; realtime-js reconnects and rejoins by itself. */
  disconnect(reason: string): void {
    this.ws.close(1000, reason);
  }

  private receive(data: RawData, isBinary: boolean): void {
    this.idle.refresh();
    if (isBinary) return;
    const message = decodeFrame(rawText(data), this.context.version);
    if (message === undefined) return;
    if (message.topic === 'phoenix' && message.event === 'heartbeat') {
      this.reply(message, 'ok', {});
      return;
    }
    this.enqueue(message.topic, () => this.handle(message));
  }

  private async handle(message: PhoenixMessage): Promise<void> {
    if (message.event === 'phx_join') return this.join(message);
    const channel = this.channels.get(message.topic);
    if (message.event === 'phx_leave') return this.leave(message, channel);
    if (channel === undefined) return this.reply(message, 'error', { reason: 'unmatched topic' });
    if (message.event === 'access_token') return this.refresh(message, channel);
    // Client broadcasts and presence are not relayed by this server: ignored, as Realtime ignores unknown events.
  }

  private async join(message: PhoenixMessage): Promise<void> {
    const { topic } = message;
    if (!topic.startsWith(TOPIC_PREFIX)) return this.reply(message, 'error', { reason: 'unmatched topic' });
    const previous = this.channels.get(topic);
    if (previous) this.close(previous); // a duplicate join replaces the channel, as in Phoenix
    const subTopic = topic.slice(TOPIC_PREFIX.length);
    if (subTopic === '') return this.refuse(message, 'TopicNameRequired', 'You must provide a topic name');
    const params = asRecord(message.payload);
    const config = asRecord(params.config);
    if (Array.isArray(config.postgres_changes) && config.postgres_changes.length > 0) {
      return this.refuse(message, 'PostgresChangesNotServed', 'the local cloud serves broadcast channels only, not postgres_changes');
    }
    const isPrivate = config.private === true;
    const token = this.joinToken(params);
    const check = await this.context.checkToken(token);
    if (!check.ok) return this.refuse(message, check.code, check.message);
    if (isPrivate) {
      const decision = await this.context.canRead(subTopic, check.claims as ChannelReader);
      if (decision === 'refused') return this.refuse(message, 'Unauthorized', `You do not have permissions to read from this Channel topic: ${subTopic}`);
      if (decision === 'unavailable') return this.refuse(message, 'UnableToConnectToProject', UNAVAILABLE);
    }
    if (this.closed) return;
    const channel: Channel = { topic, subTopic, joinRef: message.joinRef, isPrivate, token, expiry: undefined };
    this.channels.set(topic, channel);
    this.watchExpiry(channel, check.claims);
    this.reply(message, 'ok', { postgres_changes: [] });
  }

  private leave(message: PhoenixMessage, channel: Channel | undefined): void {
    this.reply(message, 'ok', {});
    if (channel) this.close(channel);
  }

  private async refresh(message: PhoenixMessage, channel: Channel): Promise<void> {
    const token = asRecord(message.payload).access_token;
    // Realtime ignores a missing token, an `sb_` API key and the token it already has.
    if (typeof token !== 'string' || token.startsWith('sb_') || token === channel.token) return;
    const check = await this.context.checkToken(token);
    if (!check.ok) return this.shutdown(channel, check.message);
    if (channel.isPrivate) {
      const decision = await this.context.canRead(channel.subTopic, check.claims as ChannelReader);
      if (decision === 'refused') return this.shutdown(channel, `You do not have permissions to read from this Channel topic: ${channel.subTopic}`);
      if (decision === 'unavailable') return this.shutdown(channel, UNAVAILABLE);
    }
    if (this.channels.get(channel.topic) !== channel) return;
    channel.token = token;
    this.watchExpiry(channel, check.claims);
  }

  /** When the token runs out, the channel closes with Realtime's "Token has expired" error. */
  private watchExpiry(channel: Channel, claims: JWTPayload & { exp: number }): void {
    clearTimeout(channel.expiry);
    const delay = Math.max(0, Math.min(claims.exp * 1000 - Date.now(), MAX_CONFIRM_MS));
    channel.expiry = setTimeout(() => this.enqueue(channel.topic, () => this.confirm(channel)), delay);
  }

  private async confirm(channel: Channel): Promise<void> {
    if (this.channels.get(channel.topic) !== channel) return;
    const check = await this.context.checkToken(channel.token);
    if (!check.ok) return this.shutdown(channel, check.message);
    this.watchExpiry(channel, check.claims);
  }

  private shutdown(channel: Channel, message: string): void {
    if (this.channels.get(channel.topic) !== channel) return;
    this.push(channel, 'system', { extension: 'system', status: 'error', message, channel: channel.subTopic });
    this.close(channel);
  }

  /** Ends a channel as Phoenix does when a channel stops: `phx_close` with the join's ref. */
  private close(channel: Channel): void {
    clearTimeout(channel.expiry);
    this.channels.delete(channel.topic);
    this.send(encodeMessage({ joinRef: channel.joinRef, ref: channel.joinRef, topic: channel.topic, event: 'phx_close', payload: {} }, this.context.version));
  }

  private joinToken(params: Record<string, unknown>): string {
    const token = params.access_token ?? params.user_token;
    return typeof token === 'string' && !token.startsWith('sb_') ? token : this.context.apiKey;
  }

  private refuse(message: PhoenixMessage, code: string, reason: string): void {
    this.reply(message, 'error', { reason: `${code}: ${reason}` });
  }

  private reply(message: PhoenixMessage, status: 'ok' | 'error', response: unknown): void {
    const { joinRef, ref, topic } = message;
    this.send(encodeMessage({ joinRef, ref, topic, event: 'phx_reply', payload: { status, response } }, this.context.version));
  }

  private push(channel: Channel, event: string, payload: unknown): void {
    this.send(encodeMessage({ joinRef: channel.joinRef, ref: null, topic: channel.topic, event, payload }, this.context.version));
  }

  private send(frame: string | Buffer): void {
    if (!this.closed && this.ws.readyState === this.ws.OPEN) this.ws.send(frame);
  }

  private enqueue(topic: string, task: () => Promise<void> | void): void {
    const next = (this.queues.get(topic) ?? Promise.resolve())
      .then(task)
      .catch((error: unknown) => this.context.onLog(`realtime: ${topic}: ${error instanceof Error ? error.message : String(error)}`));
    this.queues.set(topic, next);
    void next.then(() => {
      if (this.queues.get(topic) === next) this.queues.delete(topic);
    });
  }

  private dispose(): void {
    this.closed = true;
    clearTimeout(this.idle);
    for (const channel of this.channels.values()) clearTimeout(channel.expiry);
    this.channels.clear();
  }
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
