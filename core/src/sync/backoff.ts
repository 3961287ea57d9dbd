/** Exponential backoff bounds, in milliseconds. */
export interface BackoffPolicy {
  readonly baseMs: number;
  readonly maxMs: number;
}

/**
 * The wait before attempt `attempts + 1` of an upload that failed `attempts` times:
 * exponential from `baseMs`, capped at `maxMs`, with "equal jitter" (half fixed, half
 * random) so devices that failed together do not retry together.
 *
 * @example
 * backoffDelay(1, { baseMs: 1000, maxMs: 60_000 }); // between 500 and 1000
 * backoffDelay(10, { baseMs: 1000, maxMs: 60_000 }); // between 30_000 and 60_000
 */
export function backoffDelay(attempts: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exponent = Math.max(0, attempts - 1);
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(exponent, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
