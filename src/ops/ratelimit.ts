import type { Middleware } from '../core/bot.js';

interface Bucket {
  tokens: number;
  at: number;
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

  /** Takes a token: 0 when the message may pass, else the milliseconds until the next token. */
  take(key: string): number {
    const now = this.now();
    const b = this.buckets.get(key) ?? { tokens: this.perMinute, at: now };
    b.tokens = Math.min(this.perMinute, b.tokens + (now - b.at) * this.perMs);
    b.at = now;
    this.buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - b.tokens) / this.perMs);
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

/**
 * First middleware: every refused message gets a short reply saying when to try again, so a
 * customer is never left without an answer (the reply costs less than the work it saves).
 */
export function rateLimit(limiter: RateLimiter): Middleware {
  return async (ctx, next) => {
    const waitMs = limiter.take(ctx.key);
    if (waitMs === 0) return next();
    ctx.core.events.emit('rate.limited', { channel: ctx.msg.channel });
    ctx.reply(ctx.t('ops:rateLimited', { count: Math.max(1, Math.ceil(waitMs / 1000)) }));
  };
}
