/**
 * Resolves after `ms` milliseconds.
 *
 * @example
 * await sleep(50);
 */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `check` every `everyMs` until it holds or `timeoutMs` passes; resolves with
 * whether it held (the caller's assertion says what was expected).
 *
 * @example
 * expect(await eventually(() => device.engine.status.online, 5_000)).toBe(true);
 */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await sleep(everyMs);
  }
}
