import { RemoteProtocolError, type RemoteOperation } from './remote-errors.js';
import type { PullPage } from './remote-protocol.js';

/**
 * Checks an `eq_pull` answer, a set of one page (rows, a cursor and `has_more`), and
 * returns the page.
 *
 * @example
 * const page = asPullPage(data, 'clients');
 */
export function asPullPage(data: unknown, table: string): PullPage {
  const page = (Array.isArray(data) && data.length === 1 ? data[0] : undefined) as Partial<PullPage> | undefined;
  const cursor = page?.cursor;
  const valid =
    Array.isArray(page?.rows) &&
    typeof page?.has_more === 'boolean' &&
    typeof cursor?.txid === 'string' &&
    typeof cursor?.server_version === 'number';
  if (!valid) throw protocolError('pull', table, `expected [{ rows, cursor, has_more }], got ${describeAnswer(data)}`);
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
