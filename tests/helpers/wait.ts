/**
 * How long a test waits for something that must happen. Generous on purpose: on a busy machine
 * (other suites, benches, a 2-core CI box) things happen late, not never; a passing test returns
 * as soon as its condition holds, so only a failing one ever waits this long.
 */
export const WAIT_MS = 15_000;

/** Polls `check` until it returns something truthy (and returns that); throws after `timeout`. */
export async function until<T>(check: () => T | Promise<T>, timeout = WAIT_MS, what = 'condition'): Promise<NonNullable<T>> {
  const end = Date.now() + timeout;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
