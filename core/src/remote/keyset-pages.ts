import { IncompleteAnswerError, MAX_ANSWER_ROWS } from './incomplete-answer.js';

/**
 * How to read one paged cloud function: `fetch` asks for the page after a key (`null`:
 * from the start) of at most `limit` rows, in key order; `parse` checks an answer and
 * returns its rows; `key` names a row's place.
 *
 * @example
 * const reading: KeysetReading<Level> = {
 *   fn: 'levels',
 *   fetch: (after, limit) => context.cloud.rpc('levels', { p_after: after, p_limit: limit }),
 *   parse: parseLevels,
 *   key: (level) => level.sku,
 * };
 */
export interface KeysetReading<T> {
  /** The cloud function, for errors. */
  readonly fn: string;
  readonly fetch: (after: string | number | null, limit: number) => Promise<unknown>;
  readonly parse: (answer: unknown) => readonly T[];
  readonly key: (row: T) => string | number;
  /** Rows asked for per page; at most {@link MAX_ANSWER_ROWS}, which is the default. */
  readonly limit?: number;
}

/**
 * Reads every row of a function paged by key (`p_after`, `p_limit`), page after page,
 * until a page holds fewer rows than asked for. A page is asked for at most
 * {@link MAX_ANSWER_ROWS} rows, the API's cap, so a page the API cut still looks full and
 * is never taken for the last one; a function answering each page as one `json` value is
 * not cut at all, whatever a project sets its cap to. The answer is refused whole ({@link IncompleteAnswerError}) when a page
 * holds more rows than asked for or a row already seen: the function does not page as
 * asked, and going on could lose rows or never end. Nothing is returned until every page
 * is in, so a caller replacing a copy never replaces it with part of the answer.
 *
 * Pages are read one after another, not in one snapshot: a row changed meanwhile shows as
 * it was when its page was read.
 *
 * @example
 * const clients = await readKeysetPages({
 *   fn: 'clients_page',
 *   fetch: (after, limit) => context.cloud.rpc('clients_page', { p_after: after, p_limit: limit }),
 *   parse: parseClients,
 *   key: (client) => client.code,
 * });
 */
export async function readKeysetPages<T>(reading: KeysetReading<T>): Promise<T[]> {
  const limit = Math.max(1, Math.min(Math.floor(reading.limit ?? MAX_ANSWER_ROWS), MAX_ANSWER_ROWS));
  const rows: T[] = [];
  const seen = new Set<string | number>();
  let after: string | number | null = null;
  for (;;) {
    const page = reading.parse(await reading.fetch(after, limit));
    if (page.length > limit) throw new IncompleteAnswerError(reading.fn, `${page.length} rows for a page of at most ${limit}`);
    for (const row of page) {
      const key = reading.key(row);
      // Key order is the cloud's collation, which the device cannot re-check; a repeat it can.
      if (seen.has(key)) throw new IncompleteAnswerError(reading.fn, `the row ${JSON.stringify(key)} twice (after ${JSON.stringify(after)})`);
      seen.add(key);
      rows.push(row);
    }
    const last = page.at(-1);
    if (last === undefined || page.length < limit) return rows;
    after = reading.key(last);
  }
}
