import { RemoteProtocolError, type RemoteOperation } from './remote-errors.js';
import type { PullPage } from './remote-protocol.js';

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
  if (!valid) throw protocolError('pull', table, `expected { rows, cursor, has_more }, got ${describeAnswer(data)}`);
  return page as PullPage;
}

/** The error for an answer this engine cannot read: the cloud's schema is not the one it speaks to. */
export function protocolError(operation: RemoteOperation, table: string, what: string): RemoteProtocolError {
  return new RemoteProtocolError({
    operation,
    table,
    status: 200,
    message: `${operation} "${table}": unexpected answer from the cloud (${what}); is its schema migrated with this engine's compileServerSchema?`,
  });
}

/** A short description of an unexpected answer for an error message (never its content). */
export function describeAnswer(data: unknown): string {
  if (Array.isArray(data)) return `an array of ${data.length}`;
  return data === null ? 'null' : typeof data;
}
