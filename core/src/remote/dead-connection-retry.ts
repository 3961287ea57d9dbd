/** Codes of a kept-alive connection found dead when a request went out on it (undici's, then the OS's). */
const DEAD_CONNECTION_CODES = new Set(['UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ECONNRESET', 'EPIPE']);

/** The engine's own cloud functions: read-only, or `eq_push`, whose repeat comes back as duplicates with their versions. */
const PROTOCOL_CALL = /\/rpc\/eq_[a-z_]+$/;

/**
 * Wraps a `fetch` so that a request which went out on a kept-alive connection the cloud
 * had already closed is sent once more, on a new connection. It happens whenever the
 * process could not notice the close in time: a device waking from sleep, or an app that
 * held the event loop for seconds (a long local transaction) past the server's idle
 * timeout. Without it the run fails as offline and the device waits for the next try.
 *
 * Only requests that are safe to repeat are retried: GET and HEAD, and the engine's own
 * protocol calls (`/rpc/eq_*`, read-only or idempotent). A plugin's own function may not
 * be idempotent, so its failure is left to the plugin. A timeout or an abort is never
 * retried, and a request whose body cannot be read twice (a stream) neither.
 *
 * @example
 * const client = createClient(url, anonKey, { global: { fetch: retryingDeadConnections(fetch) } });
 */
export function retryingDeadConnections(base: typeof fetch): typeof fetch {
  return async (input, init) => {
    try {
      return await base(input, init);
    } catch (error) {
      if (!isDeadConnection(error) || !isRepeatable(input, init)) throw error;
      // Once: fetch's pool gives the failed connection's slot a new socket, whatever other idle ones it holds.
      return base(input, init);
    }
  };
}

function isDeadConnection(error: unknown): boolean {
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  return error instanceof TypeError && typeof cause?.code === 'string' && DEAD_CONNECTION_CODES.has(cause.code);
}

function isRepeatable(input: Parameters<typeof fetch>[0], init: RequestInit | undefined): boolean {
  if (input instanceof Request) return false;
  const body = init?.body;
  if (body !== undefined && body !== null && typeof body !== 'string') return false;
  const method = (init?.method ?? 'GET').toUpperCase();
  if (method === 'GET' || method === 'HEAD') return true;
  return PROTOCOL_CALL.test(new URL(String(input)).pathname);
}
