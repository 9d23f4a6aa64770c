import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoff, MAX_RETRY_AFTER_MS } from '../../src/ops/backoff.js';

describe('backoff', () => {
  it('grows from the base, is capped, and spreads retries (full jitter)', () => {
    expect(backoff(1, 100, 10_000, 0, () => 0.999)).toBe(99);
    expect(backoff(4, 100, 10_000, 0, () => 0.999)).toBe(799);
    expect(backoff(40, 100, 10_000, 0, () => 0.999)).toBe(9_990);
    expect(backoff(4, 100, 10_000, 0, () => 0)).toBe(0);
  });

  it('obeys the server’s Retry-After, but not one of more than an hour', () => {
    expect(backoff(1, 100, 10_000, 5_000, () => 0.5)).toBe(5_000);
    expect(backoff(1, 100, 10_000, 10 * 24 * 3600 * 1000, () => 0.5)).toBe(MAX_RETRY_AFTER_MS);
  });

  it('is a finite wait within its bounds for any attempt count and Retry-After', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -5, max: 10_000 }),
        fc.nat(),
        fc.double({ min: 0, max: 0.9999, noNaN: true }),
        (attempt, retryAfter, r) => {
          const wait = backoff(attempt, 200, 60_000, retryAfter, () => r);
          expect(Number.isFinite(wait)).toBe(true);
          expect(wait).toBeGreaterThanOrEqual(Math.min(retryAfter, MAX_RETRY_AFTER_MS));
          expect(wait).toBeLessThanOrEqual(Math.max(60_000, Math.min(retryAfter, MAX_RETRY_AFTER_MS)));
        },
      ),
    );
  });
});
