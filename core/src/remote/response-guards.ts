import { RemoteProtocolError, type RemoteOperation } from './remote-errors.js';
import { PUSH_STATUSES, type PullPage, type PushOutcome } from './remote-protocol.js';

/**
 * Checks an `eq_push` answer: one outcome per item, each with a known status. Anything
 * else means the cloud's functions are not the ones this engine speaks to.
 *
 * @example
 * const outcomes = asPushOutcomes(data, items.length, 'clients');
 */
export function asPushOutcomes(data: unknown, expected: number, table: string): PushOutcome[] {
  if (!Array.isArray(data) || data.length !== expected) {
    throw protocolError('push', table, `expected ${expected} outcomes, got ${describe(data)}`);
  }
  for (const outcome of data as unknown[]) {
    const status = (outcome as { status?: unknown } | null)?.status;
    if (!(PUSH_STATUSES as readonly unknown[]).includes(status)) {
      throw protocolError('push', table, `unknown outcome status ${JSON.stringify(status)}`);
    }
  }
  return data as PushOutcome[];
}

/**
 * Checks an `eq_pull` answer: rows, a cursor and `has_more`.
 *
 * @example
 * const page = asPullPage(data, 'clients');
 */
export function asPullPage(data: unknown, table: string): PullPage {
  const page = data as Partial<PullPage> | null;
  const cursor = page?.cursor;
  const valid =
    Array.isArray(page?.rows) &&
    typeof page?.has_more === 'boolean' &&
    typeof cursor?.txid === 'string' &&
    typeof cursor?.server_version === 'number';
  if (!valid) throw protocolError('pull', table, `expected { rows, cursor, has_more }, got ${describe(data)}`);
  return page as PullPage;
}

function protocolError(operation: RemoteOperation, table: string, what: string): RemoteProtocolError {
  return new RemoteProtocolError({
    operation,
    table,
    status: 200,
    message: `${operation} "${table}": unexpected answer from the cloud (${what}); is its schema migrated with this engine's compileServerSchema?`,
  });
}

function describe(data: unknown): string {
  if (Array.isArray(data)) return `an array of ${data.length}`;
  return data === null ? 'null' : typeof data;
}
