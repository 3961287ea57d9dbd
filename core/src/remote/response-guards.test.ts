import { describe, expect, it } from 'vitest';
import { RemoteProtocolError } from './remote-errors.js';
import { asPullMany, asPullPage } from './response-guards.js';

const cursor = { txid: '812', server_version: 41 };
const rows = (count: number): Array<{ id: string; server_version: number }> =>
  Array.from({ length: count }, (_, index) => ({ id: `r${index}`, server_version: index + 1 }));

describe('asPullPage: a page that cannot be whole or true is refused before a row is applied', () => {
  it('takes a page of at most the limit, with or without more to come', () => {
    expect(asPullPage([{ rows: rows(3), cursor, has_more: false }], 'items', 3).rows).toHaveLength(3);
    expect(asPullPage([{ rows: rows(3), cursor, has_more: true }], 'items', 3).has_more).toBe(true);
    expect(asPullPage([{ rows: [], cursor, has_more: false }], 'items', 3).rows).toEqual([]);
    // Without a limit (an older caller), only the shape is checked.
    expect(asPullPage([{ rows: rows(5), cursor, has_more: false }], 'items').rows).toHaveLength(5);
  });

  it('refuses more rows than asked for, whatever has_more says', () => {
    for (const has_more of [false, true]) {
      const read = (): unknown => asPullPage([{ rows: rows(4), cursor, has_more }], 'items', 3);
      expect(read).toThrow(RemoteProtocolError);
      expect(read).toThrow(`pull "items": unexpected answer from the cloud (a page of 4 rows for a limit of 3, has_more ${String(has_more)})`);
    }
  });

  it('reads a limit below 1 as the cloud does: 1', () => {
    expect(asPullPage([{ rows: rows(1), cursor, has_more: true }], 'items', 0).rows).toHaveLength(1);
    expect(() => asPullPage([{ rows: rows(2), cursor, has_more: true }], 'items', 0)).toThrow(/a page of 2 rows for a limit of 0/);
  });

  it('refuses has_more with no rows: the cursor could never advance', () => {
    expect(() => asPullPage([{ rows: [], cursor, has_more: true }], 'items', 100)).toThrow(/has_more with no rows: the cursor cannot advance/);
  });

  it('still refuses what is not a page', () => {
    expect(() => asPullPage([], 'items', 10)).toThrow(/expected \[\{ rows, cursor, has_more \}\], got an array of 0/);
    expect(() => asPullPage([{ rows: rows(1), cursor, has_more: false }, { rows: [], cursor, has_more: false }], 'items', 10)).toThrow(RemoteProtocolError);
  });
});

describe('asPullMany: the health part and one whole page per table asked for', () => {
  const page = { rows: rows(1), cursor, has_more: false, marks: { epoch: 'e', high_water: '9', next_txid: 10 } };

  it('reads the health fields and each page as asPullPage does', () => {
    const answer = [{ ok: true, protocol: 2, tenant: 't1', device: null, scopes: {}, epoch: 'e', high_water: '9', next_txid: '10', pages: { items: page, tags: { rows: [], cursor, has_more: false } } }];
    const { health, pages } = asPullMany(answer, ['items', 'tags'], 10);
    expect(health).toEqual({ protocol: 2, tenant: 't1', device: null, scopes: {}, epoch: 'e', highWater: '9', nextTxid: '10' });
    expect(pages.items).toEqual({ ...page, marks: { epoch: 'e', highWater: '9', nextTxid: '10' } });
    expect(pages.tags!.rows).toEqual([]);
  });

  it('refuses an answer without pages, a page missing, a page not asked for, and a page asPullPage refuses', () => {
    expect(() => asPullMany([{ ok: true }], ['items'], 10)).toThrow(/expected \[\{ ok, protocol, …, pages \}\], got an array of 1/);
    expect(() => asPullMany({ pages: {} }, ['items'], 10)).toThrow(RemoteProtocolError);
    expect(() => asPullMany([{ pages: {} }], ['items'], 10)).toThrow(/pull "items": .*no page for a table asked for/);
    expect(() => asPullMany([{ pages: { items: page, other: page } }], ['items'], 10)).toThrow(/pull "other": .*a page for a table not asked for/);
    expect(() => asPullMany([{ pages: { items: { ...page, rows: rows(3) } } }], ['items'], 2)).toThrow(/a page of 3 rows for a limit of 2/);
  });
});
