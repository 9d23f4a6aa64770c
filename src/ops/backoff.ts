/** A Retry-After beyond this is taken as a misconfiguration, not obeyed. */
export const MAX_RETRY_AFTER_MS = 60 * 60 * 1000;

/**
 * Milliseconds to wait before retry number `attempt` (1, 2, …): exponential from `baseMs`, capped
 * at `maxMs`, full jitter (spreads retries of many clients); never sooner than the server's own
 * Retry-After, itself capped at MAX_RETRY_AFTER_MS.
 */
export function backoff(attempt: number, baseMs: number, maxMs: number, retryAfterMs = 0, random = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(attempt, 1) - 1, 30));
  return Math.max(Math.min(retryAfterMs, MAX_RETRY_AFTER_MS), Math.floor(random() * ceiling));
}
