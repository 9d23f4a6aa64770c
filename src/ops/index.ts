import type { CoreEmitter } from '../core/events.js';
import type { Feature, ReadyCheck } from '../core/feature.js';
import type { Channel } from '../core/types.js';
import { opsRoutes } from './health.js';
import { createMetrics, type Gauges } from './metrics.js';
import { RateLimiter, rateLimit } from './ratelimit.js';

declare module '../core/events.js' {
  interface CoreEvents {
    /** A message refused by the per-user rate limit. */
    'rate.limited': [{ channel: Channel }];
  }
}

const SWEEP_MS = 60_000;

export interface OpsOptions {
  events: CoreEmitter;
  rateLimitPerMinute: number;
  /** Every feature's readiness checks, by name (the store's among them). */
  readyChecks: ReadonlyMap<string, ReadyCheck>;
  /** Store-wide gauges of the features that own the data. */
  gauges: Gauges;
}

/**
 * Operations: the per-user rate limit (mount first: its middleware refuses a flood before any
 * feature works on it), Prometheus metrics from core events, and the health routes.
 */
export function createOps({ events, rateLimitPerMinute, readyChecks, gauges }: OpsOptions): Feature {
  const limiter = new RateLimiter(rateLimitPerMinute);
  let sweeper: NodeJS.Timeout | undefined;
  return {
    name: 'ops',
    middleware: [rateLimit(limiter)],
    routes: [{ path: '/', routes: opsRoutes(readyChecks, createMetrics(events, gauges)) }],
    services: [
      {
        name: 'rate-limit',
        start: async () => {
          sweeper = setInterval(() => limiter.sweep(), SWEEP_MS).unref();
        },
        stop: async () => clearInterval(sweeper),
      },
    ],
  };
}
