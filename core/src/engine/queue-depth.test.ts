import { describe, expect, it } from 'vitest';
import { QUEUE_RECOUNT_MS, QueueDepth } from './queue-depth.js';

describe('the queue depth an upload shows', () => {
  it('counts at the first step, then takes the settled entries off until the next count is due', () => {
    let queue = 1_000;
    let counts = 0;
    let clock = 0;
    const depth = new QueueDepth(() => {
      counts += 1;
      return queue;
    }, () => clock);
    expect(depth.at(0)).toBe(1_000);
    queue = 500; // the first two batches settled
    clock += 10;
    expect(depth.at(500)).toBe(500);
    queue = 30; // settled, and 30 changes came from another connection meanwhile
    clock += 10;
    expect(depth.at(1_000)).toBe(0);
    expect(counts).toBe(1);
    clock += QUEUE_RECOUNT_MS;
    expect(depth.at(1_000)).toBe(30);
    expect(counts).toBe(2);
  });

  it('never shows a negative depth when more settled than it counted', () => {
    const depth = new QueueDepth(() => 3, () => 0);
    expect(depth.at(0)).toBe(3);
    expect(depth.at(10)).toBe(0);
  });
});
