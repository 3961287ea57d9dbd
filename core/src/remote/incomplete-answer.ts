import { RemoteProtocolError } from './remote-errors.js';

/**
 * Most rows one answer of the cloud's API carries: PostgREST's `max-rows`, 1,000 on a
 * Supabase project unless its owner changed it (the local cloud sets the same). A
 * function returning a set of rows is cut there without an error; a function returning
 * one value (`json`, `jsonb`) is not.
 *
 * @example
 * const limit = Math.min(pageSize, MAX_ANSWER_ROWS);
 */
export const MAX_ANSWER_ROWS = 1000;

/**
 * An answer the device cannot know to be whole: as many rows as the API's cap with
 * nothing saying that is all, a page holding more rows than asked for, a row coming back
 * twice. Final: asking again gets the same answer. Whatever the answer was to replace
 * stays as it was.
 *
 * @example
 * catch (e) { if (e instanceof IncompleteAnswerError) console.error(`${e.fn}: ${e.message}`); }
 */
export class IncompleteAnswerError extends RemoteProtocolError {
  override readonly name: string = 'IncompleteAnswerError';
  /** The cloud function whose answer it was. */
  readonly fn: string;

  constructor(fn: string, what: string) {
    super({ operation: 'rpc', status: 200, message: `the cloud's ${fn}() answered ${what}: the answer may be incomplete, so it was not used` });
    this.fn = fn;
  }
}

/**
 * Returns the rows of an answer that has no paging, unless it holds `cap` rows or more:
 * then the API may have cut it, and the device must not take it for the whole (a copy
 * replaced from it would silently lose the rest). Such a function must be paged, or
 * return one `json` value.
 *
 * @example
 * const rows = assertWholeAnswer('price_list', await context.cloud.rpc('price_list'));
 */
export function assertWholeAnswer<T>(fn: string, rows: readonly T[], cap: number = MAX_ANSWER_ROWS): readonly T[] {
  if (rows.length >= cap) throw new IncompleteAnswerError(fn, `${rows.length} rows, as many as the API returns at most, and no paging`);
  return rows;
}
