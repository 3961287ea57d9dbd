import { describe, expect, it } from 'vitest';
import { assertWholeAnswer, IncompleteAnswerError, MAX_ANSWER_ROWS } from './incomplete-answer.js';
import { readKeysetPages } from './keyset-pages.js';
import { RemoteProtocolError } from './remote-errors.js';

interface Level {
  readonly sku: string;
}

const skus = (count: number): Level[] => Array.from({ length: count }, (_, index) => ({ sku: `SKU-${String(index).padStart(5, '0')}` }));

/** A paged function over `all`, answering as the cloud does: rows after the key, at most the limit. */
function pagedOver(all: readonly Level[], calls: Array<[string | number | null, number]> = []) {
  return async (after: string | number | null, limit: number): Promise<unknown> => {
    calls.push([after, limit]);
    return all.filter((level) => after === null || level.sku > String(after)).slice(0, Math.min(limit, MAX_ANSWER_ROWS));
  };
}

const parse = (answer: unknown): Level[] => {
  if (!Array.isArray(answer)) throw new Error('not a list');
  return answer as Level[];
};

describe('assertWholeAnswer: an answer with no paging', () => {
  it('is taken below the cap', () => {
    expect(assertWholeAnswer('levels', skus(999))).toHaveLength(999);
    expect(assertWholeAnswer('levels', [])).toEqual([]);
  });

  it('is refused with exactly the cap of rows, or more: the API may have cut it', () => {
    const read = (): unknown => assertWholeAnswer('inventory_master', skus(MAX_ANSWER_ROWS));
    expect(read).toThrow(IncompleteAnswerError);
    expect(read).toThrow(RemoteProtocolError);
    expect(read).toThrow("the cloud's inventory_master() answered 1000 rows, as many as the API returns at most, and no paging: the answer may be incomplete, so it was not used");
    expect(() => assertWholeAnswer('levels', skus(10), 10)).toThrow(IncompleteAnswerError);
    try {
      read();
    } catch (error) {
      expect(error).toMatchObject({ fn: 'inventory_master', retryable: false, operation: 'rpc' });
    }
  });
});

describe('readKeysetPages', () => {
  it('reads 1,101 rows in pages of 1,000 and stops at the short page', async () => {
    const calls: Array<[string | number | null, number]> = [];
    const all = skus(1101);
    const rows = await readKeysetPages({ fn: 'levels', fetch: pagedOver(all, calls), parse, key: (level) => level.sku });
    expect(rows).toEqual(all);
    expect(calls).toEqual([[null, 1000], [all[999]?.sku, 1000]]);
  });

  it('asks one more page after a full last page, and takes its emptiness as the end', async () => {
    const calls: Array<[string | number | null, number]> = [];
    const rows = await readKeysetPages({ fn: 'levels', fetch: pagedOver(skus(6), calls), parse, key: (level) => level.sku, limit: 3 });
    expect(rows).toHaveLength(6);
    expect(calls.map(([after]) => after)).toEqual([null, 'SKU-00002', 'SKU-00005']);
  });

  it('never asks for more than the API cap in one page', async () => {
    const calls: Array<[string | number | null, number]> = [];
    expect(await readKeysetPages({ fn: 'levels', fetch: pagedOver(skus(2500), calls), parse, key: (l) => l.sku, limit: 5000 })).toHaveLength(2500);
    expect(calls.map(([, limit]) => limit)).toEqual([1000, 1000, 1000]);
  });

  it('refuses a page with more rows than asked for', async () => {
    const read = readKeysetPages({ fn: 'levels', fetch: async () => skus(4), parse, key: (level) => level.sku, limit: 3 });
    await expect(read).rejects.toThrow("the cloud's levels() answered 4 rows for a page of at most 3: the answer may be incomplete, so it was not used");
  });

  it('refuses a function that ignores p_after instead of looping on its first page', async () => {
    const read = readKeysetPages({ fn: 'levels', fetch: async () => skus(3), parse, key: (level) => level.sku, limit: 3 });
    await expect(read).rejects.toThrow(IncompleteAnswerError);
    await expect(read).rejects.toThrow(/answered the row "SKU-00000" twice \(after "SKU-00002"\)/);
  });

  it("lets the parser's refusal through and returns nothing of a reading that failed midway", async () => {
    let call = 0;
    const fetch = async (): Promise<unknown> => (++call === 1 ? skus(2) : { message: 'boom' });
    await expect(readKeysetPages({ fn: 'levels', fetch, parse, key: (level) => level.sku, limit: 2 })).rejects.toThrow('not a list');
  });
});
