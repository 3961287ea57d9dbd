import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.js';

describe('backoffDelay', () => {
  const policy = { baseMs: 1_000, maxMs: 60_000 };

  it('doubles per attempt within equal-jitter bounds', () => {
    expect(backoffDelay(1, policy, () => 0)).toBe(500);
    expect(backoffDelay(1, policy, () => 1)).toBe(1_000);
    expect(backoffDelay(3, policy, () => 0)).toBe(2_000);
    expect(backoffDelay(3, policy, () => 1)).toBe(4_000);
  });

  it('caps at maxMs however many attempts failed', () => {
    expect(backoffDelay(50, policy, () => 1)).toBe(60_000);
    expect(backoffDelay(5_000, policy, () => 0)).toBe(30_000);
  });
});
