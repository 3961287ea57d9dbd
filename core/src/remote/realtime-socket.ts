import type { RealtimeClient } from '@supabase/supabase-js';

/** The parts of realtime-js 2.109 under `disconnect()` (not in its types). */
interface RealtimeInsides {
  readonly _cancelPendingDisconnect?: () => void;
  readonly socketAdapter?: { getSocket?: () => { disconnect?: (done: () => void, code?: number, reason?: string) => void } };
}

/** A normal closure: the device leaves on purpose. */
const NORMAL_CLOSURE = 1000;

/**
 * Closes a realtime client's socket, leaving no timer behind. realtime-js 2.109's
 * `disconnect()` races the close against a 10 s timeout it never clears, which keeps a
 * process alive for 10 s after the host is disposed; the Phoenix socket underneath closes
 * without one (and stops reconnecting). Where those insides are not as expected (another
 * realtime-js), it falls back to `disconnect()`.
 *
 * @example
 * await closeRealtimeSocket(client.realtime);
 */
export async function closeRealtimeSocket(realtime: RealtimeClient): Promise<void> {
  const insides = realtime as unknown as RealtimeInsides;
  const socket = insides.socketAdapter?.getSocket?.();
  const disconnect = socket?.disconnect;
  if (typeof insides._cancelPendingDisconnect !== 'function' || typeof disconnect !== 'function') {
    await realtime.disconnect();
    return;
  }
  // A channel removed a moment ago scheduled a disconnect of its own: this one replaces it.
  insides._cancelPendingDisconnect.call(realtime);
  await new Promise<void>((resolve) => disconnect.call(socket, resolve, NORMAL_CLOSURE, 'closed'));
}
