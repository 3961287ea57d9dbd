import type { Row } from '../declarations/index.js';
import { PUSH_STATUSES, type PushAnswer, type PushEcho, type PushExpectation, type PushItem, type PushOutcome, type PushPart } from './remote-protocol.js';
import type { RemoteError } from './remote-errors.js';
import type { PushPartAnswer } from './remote-store.js';
import { describeAnswer, protocolError } from './response-guards.js';

/**
 * The `eq_push` arguments for a batch: the rows as they are, and the base versions of
 * the rows that have one (a first upload sends none), keyed by id.
 *
 * @example
 * const { p_rows, p_bases } = pushArguments([{ row, base_version: 41 }]);
 */
export function pushArguments(items: readonly PushItem[]): { p_rows: Row[]; p_bases: Record<string, number> | null } {
  const rows: Row[] = [];
  let bases: Record<string, number> | null = null;
  for (const item of items) {
    rows.push(item.row);
    if (item.base_version !== null) (bases ??= {})[String(item.row.id)] = item.base_version;
  }
  return { p_rows: rows, p_bases: bases };
}

/**
 * The `p_expect` argument of `eq_push`: the expectation with the cloud's names
 * (`high_water`, `cursor_txid`), the marks as decimal strings.
 *
 * @example
 * expectationArgument({ protocol: 2, tenant: 'store-1', epoch: 'a1', highWater: '812' });
 * // { protocol: 2, tenant: 'store-1', epoch: 'a1', high_water: '812' }
 */
export function expectationArgument(expect: PushExpectation): Record<string, string | number> {
  return {
    protocol: expect.protocol,
    tenant: expect.tenant,
    epoch: expect.epoch,
    ...(expect.highWater === undefined ? {} : { high_water: expect.highWater }),
    ...(expect.cursorTxid === undefined ? {} : { cursor_txid: expect.cursorTxid }),
  };
}

/**
 * Reads an `eq_push` answer into one outcome per item: the cloud answers an applied row
 * with its new `server_version` as a bare number, and any other with an object carrying
 * its status. Anything else means the cloud's functions are not the ones this engine
 * speaks to.
 *
 * @example
 * const outcomes = asPushOutcomes(data, items, 'clients');
 */
export function asPushOutcomes(data: unknown, items: readonly PushItem[], table: string): PushOutcome[] {
  if (!Array.isArray(data) || data.length !== items.length) {
    throw protocolError('push', table, `expected ${items.length} outcomes, got ${describeAnswer(data)}`);
  }
  return (data as unknown[]).map((answer, index) => {
    const id = items[index]!.row.id as string;
    if (typeof answer === 'number' && Number.isInteger(answer)) return { id, status: 'applied', server_version: answer };
    const status = (answer as { status?: unknown } | null)?.status;
    if (typeof answer !== 'object' || !(PUSH_STATUSES as readonly unknown[]).includes(status)) {
      throw protocolError('push', table, `unknown outcome ${JSON.stringify(answer)?.slice(0, 80)}`);
    }
    return { ...(answer as object), id } as PushOutcome;
  });
}

/**
 * Reads the answer of an `eq_push` asked for its echo: `{ outcomes, echo }`, the outcomes
 * as {@link asPushOutcomes} reads them and the echo `[after, last]` or null.
 *
 * @example
 * const { outcomes, echo } = asPushAnswer(data, items, 'clients');
 */
export function asPushAnswer(data: unknown, items: readonly PushItem[], table: string): PushAnswer {
  if (typeof data !== 'object' || data === null || Array.isArray(data) || !('outcomes' in data)) {
    throw protocolError('push', table, `expected { outcomes, echo }, got ${describeAnswer(data)}`);
  }
  const { outcomes, echo } = data as { outcomes: unknown; echo?: unknown };
  return { outcomes: asPushOutcomes(outcomes, items, table), echo: asPushEcho(echo, table) };
}

/**
 * The `p_pushes` argument of `eq_push_tables`: each table's push as `eq_push` takes it.
 *
 * @example
 * pushesArgument([{ table: 'orders', items, echo: true }]); // [{ table, rows, bases, echo }]
 */
export function pushesArgument(parts: readonly PushPart[]): { table: string; rows: Row[]; bases: Record<string, number> | null; echo: boolean }[] {
  return parts.map((part) => {
    const { p_rows, p_bases } = pushArguments(part.items);
    return { table: part.table, rows: p_rows, bases: p_bases, echo: part.echo };
  });
}

/**
 * Reads an `eq_push_tables` answer: one entry per push in the order sent, its answer read
 * as `eq_push`'s is, or its refusal (`{ error: { code, message } }`) turned into the
 * `RemoteError` a single push would have met, by `refusal`.
 *
 * @example
 * const answers = asPushPartAnswers(data, parts, (failure, table) => toRemoteError(failure, { operation: 'push', table }));
 */
export function asPushPartAnswers(
  data: unknown,
  parts: readonly PushPart[],
  refusal: (failure: { status: number; code: string; message: string }, table: string) => RemoteError,
): PushPartAnswer[] {
  if (!Array.isArray(data) || data.length !== parts.length) {
    throw protocolError('push', parts.map((part) => part.table).join(', '), `expected ${parts.length} answers, got ${describeAnswer(data)}`);
  }
  return (data as unknown[]).map((entry, index) => {
    const part = parts[index]!;
    const { answer, error } = (typeof entry === 'object' && entry !== null ? entry : {}) as { answer?: unknown; error?: { code?: unknown; message?: unknown } };
    if (error !== undefined && error !== null && typeof error === 'object') {
      return { error: refusal({ status: 400, code: String(error.code ?? ''), message: String(error.message ?? 'refused') }, part.table) };
    }
    if (answer === undefined) throw protocolError('push', part.table, `unknown answer ${JSON.stringify(entry)?.slice(0, 80)}`);
    return { answer: part.echo ? asPushAnswer(answer, part.items, part.table) : { outcomes: asPushOutcomes(answer, part.items, part.table), echo: null } };
  });
}

function asPushEcho(echo: unknown, table: string): PushEcho | null {
  if (echo === null || echo === undefined) return null;
  if (Array.isArray(echo) && echo.length === 2 && echo.every((n) => Number.isSafeInteger(n) && (n as number) >= 0) && (echo[0] as number) < (echo[1] as number)) {
    return [echo[0] as number, echo[1] as number];
  }
  throw protocolError('push', table, `unknown echo ${JSON.stringify(echo)?.slice(0, 80)}`);
}

/**
 * The argument names of `eq_push`, as the `columns` query parameter names them (a push
 * asked for its echo adds `p_echo`, one with an expectation `p_expect`).
 *
 * @example
 * url.searchParams.set('columns', PUSH_ARGUMENT_NAMES);
 */
export const PUSH_ARGUMENT_NAMES = 'p_table,p_rows,p_bases';

/** The end of a push's body when it asks for its echo: supabase-js sends the arguments in the order given. */
const ECHO_ASKED = ',"p_echo":true}';

/** The start of a push's body when it carries an expectation (the remote puts it first). */
const EXPECT_GIVEN = '{"p_expect":';

/**
 * Wraps a `fetch` so that calls of `eq_push` name their arguments in the URL
 * (`?columns=p_table,p_rows,p_bases`, and `p_echo`, `p_expect` when the body has them).
 * Without the names, PostgREST parses the whole request body to learn them before
 * Postgres parses it again; with them it hands the
 * body over as it is, which saves about a third of a 1,000-row push's time in PostgREST.
 * Other requests pass through untouched.
 *
 * A PostgREST that refused the parameter (a request error, `PGRST1xx`) gets the same
 * call again without it, and no names from then on: the names are only a shortcut.
 *
 * @example
 * const client = createClient(url, anonKey, { global: { fetch: namingPushArguments(fetch) } });
 */
export function namingPushArguments(base: typeof fetch): typeof fetch {
  let naming = true;
  return async (input, init) => {
    const href = input instanceof Request ? input.url : String(input);
    if (!naming || !href.includes('/rpc/eq_push')) return base(input, init);
    const url = new URL(href);
    if (!url.pathname.endsWith('/rpc/eq_push') || url.searchParams.has('columns')) return base(input, init);
    const body = typeof init?.body === 'string' ? init.body : '';
    const names = [PUSH_ARGUMENT_NAMES, ...(body.endsWith(ECHO_ASKED) ? ['p_echo'] : []), ...(body.startsWith(EXPECT_GIVEN) ? ['p_expect'] : [])];
    url.searchParams.set('columns', names.join(','));
    // A Request's body can be read once: keep the original for a second try.
    const named = input instanceof Request ? new Request(url, input.clone()) : url.href;
    const response = await base(named, init);
    if (response.status !== 400 || !isRequestError(await response.clone().text())) return response;
    naming = false;
    return base(input, init);
  };
}

/** PostgREST's codes for a request it could not read (PGRST100–199), as opposed to an error of the call itself. */
function isRequestError(body: string): boolean {
  try {
    return /^PGRST1\d\d$/.test(String((JSON.parse(body) as { code?: unknown }).code));
  } catch {
    return false;
  }
}
