/**
 * A small deterministic pseudo-random generator (mulberry32): numbers in [0, 1) that
 * replay from their seed, so a randomised test can be run again exactly. Plain code
 * with no imports, so a worker process may load it from the built package too.
 *
 * @example
 * const random = prng(seed);
 * const delay = Math.floor(random() * 100);
 */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
