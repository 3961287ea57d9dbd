import { describe, expect, it } from 'vitest';
import { MAX_PUSH_ROWS } from '../remote/index.js';
import { BATCH_BYTES, batchLimits, cutBatches, rowJsonBytes } from './push-batches.js';

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
});
