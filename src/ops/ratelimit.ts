import type { Middleware } from '../core/bot.js';

interface Bucket {
  tokens: number;
  at: number;
  /** The user was already told about the limit in this run of refusals. */
  told: boolean;
}

/**
 * Per-user token bucket: `perMinute` messages, refilled continuously. In memory per instance,
 * so with N instances a user gets at most N × the limit; good enough against floods.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {
    this.perMs = perMinute / 60_000;
  }

  /** Takes a token; returns 'ok', 'refuse' (tell the user) or 'silent' (already told). */
  take(key: string): 'ok' | 'refuse' | 'silent' {
    const now = this.now();
    const b = this.buckets.get(key) ?? { tokens: this.perMinute, at: now, told: false };
    b.tokens = Math.min(this.perMinute, b.tokens + (now - b.at) * this.perMs);
    b.at = now;
    this.buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      b.told = false;
      return 'ok';
    }
    if (b.told) return 'silent';
    b.told = true;
    return 'refuse';
  }

  /** Drops buckets that have refilled: they hold nothing a fresh bucket would not. */
  sweep(): void {
    const now = this.now();
    for (const [key, b] of this.buckets) {
      if (b.tokens + (now - b.at) * this.perMs >= this.perMinute) this.buckets.delete(key);
    }
  }

  get size(): number {
    return this.buckets.size;
  }
}

/** First middleware: a flood gets one polite reply, then silence until the bucket refills. */
export function rateLimit(limiter: RateLimiter): Middleware {
  return async (ctx, next) => {
    const verdict = limiter.take(ctx.key);
    if (verdict === 'ok') return next();
    ctx.core.events.emit('rate.limited', { channel: ctx.msg.channel });
    if (verdict === 'refuse') ctx.reply(ctx.t('ops:rateLimited'));
  };
}
