import { RemoteProtocolError, type RemoteOperation } from './remote-errors.js';
import type { CloudMarks, PullPage } from './remote-protocol.js';

/**
 * Checks an `eq_pull` answer, a set of one page (rows, a cursor and `has_more`), and
 * returns the page. Given the `limit` asked for, it also refuses a page that cannot be
 * whole or true: more rows than asked for (the cloud does not page as this engine
 * expects, so the cursor cannot be trusted to follow the rows), or `has_more` with no
 * rows (the cursor could never advance). Either is refused before a row is applied.
 *
 * @example
 * const page = asPullPage(data, 'clients', 1000);
 */
export function asPullPage(data: unknown, table: string, limit?: number): PullPage {
  const page = (Array.isArray(data) && data.length === 1 ? data[0] : undefined) as Partial<PullPage> | undefined;
  const cursor = page?.cursor;
  const valid =
    Array.isArray(page?.rows) &&
    typeof page?.has_more === 'boolean' &&
    (cursor?.txid === undefined || typeof cursor.txid === 'string') &&
    typeof cursor?.server_version === 'number';
  if (!valid) throw protocolError('pull', table, `expected [{ rows, cursor, has_more }], got ${describeAnswer(data)}`);
  const { rows, has_more } = page as PullPage;
  // The cloud reads a limit below 1 as 1.
  if (limit !== undefined && rows.length > Math.max(1, limit)) {
    throw protocolError('pull', table, `a page of ${rows.length} rows for a limit of ${limit}, has_more ${String(has_more)}`);
  }
  if (has_more && rows.length === 0) throw protocolError('pull', table, 'has_more with no rows: the cursor cannot advance');
  const marks = (page as { marks?: unknown }).marks;
  if (marks === undefined) return page as PullPage;
  // Read like eq_health's: a mark of the wrong type is left out rather than trusted.
  const fields = asHealthFields(marks);
  const read: CloudMarks = {
    ...(fields.epoch === undefined ? {} : { epoch: fields.epoch }),
    ...(fields.highWater === undefined ? {} : { highWater: fields.highWater }),
    ...(fields.nextTxid === undefined ? {} : { nextTxid: fields.nextTxid }),
  };
  return { ...(page as PullPage), marks: read };
}

/**
 * Checks an `eq_pull_many` answer, a set of one object: `eq_health`'s fields (read by
 * {@link asHealthFields}) and `pages`, one page per table asked for, each checked like
 * {@link asPullPage}. A page missing, or one for a table not asked for, is refused: the
 * cloud did not answer the question asked.
 *
 * @example
 * const { health, pages } = asPullMany(data, ['clients', 'orders'], 1000);
 */
export function asPullMany(
  data: unknown,
  tables: readonly string[],
  limit: number,
): { health: ReturnType<typeof asHealthFields>; pages: Record<string, PullPage> } {
  const answer: unknown = Array.isArray(data) && data.length === 1 ? data[0] : undefined;
  const pages = answer !== null && typeof answer === 'object' ? (answer as { pages?: unknown }).pages : undefined;
  if (pages === null || typeof pages !== 'object' || Array.isArray(pages)) {
    const what = tables.length === 1 ? tables[0]! : `${tables.length} tables`;
    throw protocolError('pull', what, `expected [{ ok, protocol, …, pages }], got ${describeAnswer(data)}`);
  }
  const given = pages as Record<string, unknown>;
  const stray = Object.keys(given).find((table) => !tables.includes(table));
  if (stray !== undefined) throw protocolError('pull', stray, 'a page for a table not asked for');
  const read: Record<string, PullPage> = {};
  for (const table of tables) {
    if (!Object.hasOwn(given, table)) throw protocolError('pull', table, 'no page for a table asked for');
    read[table] = asPullPage([given[table]], table, limit);
  }
  return { health: asHealthFields(answer), pages: read };
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

/**
 * What `eq_health` says beyond "online", read field by field: a cloud of an older schema
 * answers only some of them, and a field of the wrong type is left out rather than trusted.
 *
 * @example
 * asHealthFields({ ok: true, protocol: 3, tenant: 't1', device: null, epoch: 'e', high_water: '812', next_txid: '901' });
 * // → { protocol: 3, tenant: 't1', device: null, epoch: 'e', highWater: '812', nextTxid: '901' }
 */
export function asHealthFields(data: unknown): {
  protocol?: number;
  tenant?: string | null;
  device?: string | null;
  epoch?: string;
  highWater?: string;
  nextTxid?: string;
  scopes?: Record<string, string | null>;
} {
  const answer = (data !== null && typeof data === 'object' ? data : {}) as Record<string, unknown>;
  const fields: ReturnType<typeof asHealthFields> = {};
  if (typeof answer.protocol === 'number') fields.protocol = answer.protocol;
  if (typeof answer.tenant === 'string' || answer.tenant === null) fields.tenant = answer.tenant;
  if (typeof answer.device === 'string' || answer.device === null) fields.device = answer.device;
  if (typeof answer.epoch === 'string') fields.epoch = answer.epoch;
  const highWater = decimal(answer.high_water);
  if (highWater !== undefined) fields.highWater = highWater;
  const nextTxid = decimal(answer.next_txid);
  if (nextTxid !== undefined) fields.nextTxid = nextTxid;
  if (answer.scopes !== null && typeof answer.scopes === 'object' && !Array.isArray(answer.scopes)) {
    const entries = Object.entries(answer.scopes as Record<string, unknown>).filter(([, value]) => typeof value === 'string' || value === null);
    fields.scopes = Object.fromEntries(entries) as Record<string, string | null>;
  }
  return fields;
}

/** A non-negative integer as decimal text (bigints travel as text; a small one may come as a number). */
function decimal(value: unknown): string | undefined {
  if (typeof value === 'string' && /^\d{1,20}$/.test(value)) return value;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  return undefined;
}
