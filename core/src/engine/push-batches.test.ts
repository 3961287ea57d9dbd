import { describe, expect, it } from 'vitest';
import { MAX_PUSH_ROWS } from '../remote/index.js';
import type { OutboxEntry } from '../store/index.js';
import { prng } from '../testing/index.js';
import { BATCH_BYTES, batchesByTable, batchLimits, cutBatches, rowJsonBound, rowJsonBytes } from './push-batches.js';

describe('push batches', () => {
  it('cuts at the row limit or the byte limit, whichever comes first, keeping order', () => {
    const sizes = [10, 10, 10, 10, 10];
    expect(cutBatches(sizes, (n) => n, { rows: 2, bytes: 1_000 })).toEqual([[10, 10], [10, 10], [10]]);
    // Each item counts its size plus a separator: 3 × 11 = 33 > 30.
    expect(cutBatches(sizes, (n) => n, { rows: 100, bytes: 30 })).toEqual([[10, 10], [10, 10], [10]]);
    expect(cutBatches([], (n: number) => n, { rows: 2, bytes: 30 })).toEqual([]);
  });

  it('sends an item bigger than the byte limit alone', () => {
    expect(cutBatches([5, 500, 5, 5], (n) => n, { rows: 10, bytes: 100 })).toEqual([[5], [500], [5, 5]]);
  });

  it('never allows more rows than the cloud takes, and half its byte cap', () => {
    expect(batchLimits(500)).toEqual({ rows: 500, bytes: 1024 * 1024 });
    expect(batchLimits(50_000).rows).toBe(MAX_PUSH_ROWS);
    expect(batchLimits(0).rows).toBe(1);
    expect(BATCH_BYTES).toBe(1024 * 1024);
  });

  it('measures a row as UTF-8 JSON', () => {
    expect(rowJsonBytes({ id: 'a', label: 'é' })).toBe(23);
  });

  it('bounds a row from above without writing it out, whatever its strings hold', () => {
    const random = prng(20);
    const alphabet = ['a', 'é', '"', '\\', '\n', '\u0001', '€', '😀', '\ud800'];
    for (let i = 0; i < 500; i += 1) {
      const text = Array.from({ length: Math.floor(random() * 40) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
      const row = { id: `r${i}`, text, qty: Math.floor(random() * 1e9) - 5e8, price: random() * 1e-300, ok: random() < 0.5, note: null };
      expect(rowJsonBound(row), JSON.stringify(row)).toBeGreaterThanOrEqual(rowJsonBytes(row));
    }
    expect(rowJsonBound({ id: 'a', tags: ['x'] })).toBe(Infinity);
  });

  it('still cuts by bytes when the rows are large, and by rows alone when they are small', () => {
    const entry = (i: number, label: string) => ({ table: 't', id: `r${i}`, row: { id: `r${i}`, label } }) as unknown as OutboxEntry;
    const small = Array.from({ length: 7 }, (_, i) => entry(i, 'x'));
    expect(batchesByTable(small, { rows: 3, bytes: 10_000 }).map(([, batch]) => batch.length)).toEqual([3, 3, 1]);
    const large = Array.from({ length: 6 }, (_, i) => entry(i, 'y'.repeat(400)));
    // Each row is about 420 bytes: two fit under 1,000, a third does not.
    expect(batchesByTable(large, { rows: 100, bytes: 1_000 }).map(([, batch]) => batch.length)).toEqual([2, 2, 2]);
  });
});
