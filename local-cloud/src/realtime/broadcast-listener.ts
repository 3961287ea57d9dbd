import pg from 'pg';

/**
 * The Postgres channel the stand-in `realtime.send` notifies (see `realtimeSchemaSql`).
 *
 * @example
 * await client.query(`listen ${BROADCAST_CHANNEL}`);
 */
export const BROADCAST_CHANNEL = 'equinox_realtime';

/**
 * One message sent by `realtime.send` in the database, once its transaction committed.
 *
 * @example
 * const sent: DatabaseBroadcast = { id, topic: 'equinox:store-1', event: 'push', payload: { table: 'products' }, private: true };
 */
export interface DatabaseBroadcast {
  readonly id: string;
  /** The topic without realtime-js's `realtime:` prefix, as stored in `realtime.messages`. */
  readonly topic: string;
  readonly event: string;
  readonly payload: unknown;
  /** Private messages reach only private channels, public ones only public channels. */
  readonly private: boolean;
}

/** Where to listen and whom to tell. */
export interface BroadcastListenerOptions {
  readonly connectionString: string;
  /** How its connection shows in `pg_stat_activity`. Default `equinox-realtime`. */
  readonly applicationName?: string;
  readonly onBroadcast: (broadcast: DatabaseBroadcast) => void;
  readonly onLog: (line: string) => void;
}

const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 5_000;

/**
 * Listens on one connection for what `realtime.send` notifies, and keeps listening: when
 * the connection is lost (Postgres restarted, the backend terminated) it reconnects with
 * a growing delay until `stop()`. What is sent while it reconnects is not delivered: a
 * broadcast is a hint, as on Supabase, where delivery is not guaranteed either.
 *
 * @example
 * const listener = new BroadcastListener({ connectionString: ownerUrl, onBroadcast: fanOut, onLog: console.log });
 * listener.start();
 * await listener.stop();
 */
export class BroadcastListener {
  private client: pg.Client | undefined;
  private retryMs = RETRY_MIN_MS;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly options: BroadcastListenerOptions) {}

  start(): void {
    void this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({
      connectionString: this.options.connectionString,
      application_name: this.options.applicationName ?? 'equinox-realtime',
    });
    this.client = client;
    let lost = false;
    const onLost = (error?: Error): void => {
      if (lost || this.client !== client) return;
      lost = true;
      this.client = undefined;
      client.end().catch(() => undefined);
      if (this.stopped) return;
      this.options.onLog(`realtime listener lost its connection${error ? `: ${error.message}` : ''}; reconnecting in ${this.retryMs} ms`);
      this.retryTimer = setTimeout(() => void this.connect(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', (message) => {
      const broadcast = parseBroadcast(message.payload);
      if (broadcast) this.options.onBroadcast(broadcast);
      else this.options.onLog(`realtime listener ignored a malformed notification: ${String(message.payload).slice(0, 200)}`);
    });
    try {
      await client.connect();
      await client.query(`listen ${BROADCAST_CHANNEL}`);
      this.retryMs = RETRY_MIN_MS;
    } catch (error) {
      onLost(error as Error);
    }
  }
}

function parseBroadcast(text: string | undefined): DatabaseBroadcast | undefined {
  try {
    const value = JSON.parse(text ?? '') as Record<string, unknown>;
    const { id, topic, event, payload } = value;
    if (typeof topic !== 'string' || typeof event !== 'string') return undefined;
    return { id: String(id ?? ''), topic, event, payload: payload ?? null, private: value.private !== false };
  } catch {
    return undefined;
  }
}
