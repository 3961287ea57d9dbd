import { onTestFinished } from 'vitest';

/**
 * Disposes `owner` when the current test ends, pass or fail, and returns it: for what
 * a test opens itself (a host, an engine). Its `dispose` must be idempotent, as a host's
 * is, so the test may dispose it earlier.
 *
 * @example
 * const host = disposeAfterTest(await createHost({ config }));
 */
export function disposeAfterTest<T extends { dispose(): unknown }>(owner: T): T {
  onTestFinished(async () => {
    await owner.dispose();
  });
  return owner;
}
