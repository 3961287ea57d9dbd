/**
 * A Phoenix channel message, in either serializer version realtime-js speaks.
 *
 * @example
 * const heartbeat: PhoenixMessage = { joinRef: null, ref: '7', topic: 'phoenix', event: 'heartbeat', payload: {} };
 */
export interface PhoenixMessage {
  readonly joinRef: string | null;
  readonly ref: string | null;
  readonly topic: string;
  readonly event: string;
  readonly payload: unknown;
}

/** The serializer a socket asked for with its `vsn` query parameter. */
export type SerializerVersion = '1.0.0' | '2.0.0';

/**
 * The serializer for a `vsn` query parameter, as Phoenix picks it (`~> 1.0.0`, `~> 2.0.0`;
 * none means 1.0.0), or `undefined` for a version this server does not speak.
 *
 * @example
 * serializerVersion(new URL(req.url, 'http://x').searchParams.get('vsn')); // '2.0.0'
 */
export function serializerVersion(vsn: string | null): SerializerVersion | undefined {
  if (vsn === null || /^1\.0\.\d+$/.test(vsn)) return '1.0.0';
  if (/^2\.0\.\d+$/.test(vsn)) return '2.0.0';
  return undefined;
}

/**
 * Reads a text frame: `[join_ref, ref, topic, event, payload]` in 2.0.0, an object with
 * those keys in 1.0.0. `undefined` for anything else (binary client broadcasts included:
 * this server relays no client-sent broadcast).
 *
 * @example
 * decodeFrame('[null,"1","phoenix","heartbeat",{}]', '2.0.0')?.event; // 'heartbeat'
 */
export function decodeFrame(text: string, version: SerializerVersion): PhoenixMessage | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const fields = version === '2.0.0' ? arrayFields(parsed) : objectFields(parsed);
  if (fields === undefined) return undefined;
  const [joinRef, ref, topic, event, payload] = fields;
  if (typeof topic !== 'string' || typeof event !== 'string') return undefined;
  return { joinRef: refOrNull(joinRef), ref: refOrNull(ref), topic, event, payload: payload ?? {} };
}

/**
 * Writes a message (a reply, a `system` push, a `phx_close`) as a text frame.
 *
 * @example
 * ws.send(encodeMessage({ joinRef: null, ref: '7', topic: 'phoenix', event: 'phx_reply', payload: { status: 'ok', response: {} } }, '2.0.0'));
 */
export function encodeMessage(message: PhoenixMessage, version: SerializerVersion): string {
  const { joinRef, ref, topic, event, payload } = message;
  return JSON.stringify(version === '2.0.0' ? [joinRef, ref, topic, event, payload] : { topic, event, payload, ref, join_ref: joinRef });
}

/**
 * A broadcast from the database, addressed to one joined channel.
 *
 * @example
 * const frame: BroadcastFrame = { topic: 'realtime:equinox:store-1', event: 'push', payload: { table: 'products' }, id: 'f4c…' };
 */
export interface BroadcastFrame {
  /** The topic as the client joined it, with its `realtime:` prefix. */
  readonly topic: string;
  readonly event: string;
  readonly payload: unknown;
  /** The message's id, sent as `meta.id` as Supabase does. */
  readonly id: string;
}

const USER_BROADCAST = 4;
const JSON_ENCODING = 1;
const MAX_FIELD_BYTES = 255;

/**
 * Writes a broadcast as Supabase Realtime sends a broadcast from the database: to a
 * 2.0.0 socket a binary "user broadcast" frame (kind 4: sizes of topic, event and
 * metadata, JSON encoding, then the bytes), which realtime-js decodes to
 * `{ type: 'broadcast', event, payload, meta }`; to a 1.0.0 socket a JSON message with
 * that payload. A topic or event too long for the binary header (255 bytes) goes as the
 * JSON array frame instead, which realtime-js reads the same way.
 *
 * @example
 * ws.send(encodeBroadcast({ topic: 'realtime:equinox:store-1', event: 'push', payload: { table: 'products' }, id }, '2.0.0'));
 */
export function encodeBroadcast(frame: BroadcastFrame, version: SerializerVersion): string | Buffer {
  const meta = JSON.stringify({ id: frame.id });
  const parts = [frame.topic, frame.event, meta].map((text) => Buffer.from(text, 'utf8'));
  if (version === '2.0.0' && parts.every((part) => part.length <= MAX_FIELD_BYTES)) {
    const [topic, event, metadata] = parts as [Buffer, Buffer, Buffer];
    const header = Buffer.from([USER_BROADCAST, topic.length, event.length, metadata.length, JSON_ENCODING]);
    return Buffer.concat([header, topic, event, metadata, Buffer.from(JSON.stringify(frame.payload), 'utf8')]);
  }
  const payload = { type: 'broadcast', event: frame.event, payload: frame.payload, meta: { id: frame.id } };
  return encodeMessage({ joinRef: null, ref: null, topic: frame.topic, event: 'broadcast', payload }, version);
}

function arrayFields(parsed: unknown): unknown[] | undefined {
  return Array.isArray(parsed) && parsed.length === 5 ? parsed : undefined;
}

function objectFields(parsed: unknown): unknown[] | undefined {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const message = parsed as Record<string, unknown>;
  return [message.join_ref, message.ref, message.topic, message.event, message.payload];
}

function refOrNull(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return null;
}
