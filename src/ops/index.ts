import type { CoreEmitter } from '../core/events.js';
import type { Feature, ReadyCheck } from '../core/feature.js';
import type { Channel } from '../core/types.js';
import type { Hono } from 'hono';
import { healthRoute, opsRoutes } from './health.js';
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
  /** Shown in /readyz without failing it (a store that can lose data). */
  warnings?: () => string[];
  /** /metrics and /readyz on their own server (OPS_PORT), not on the public one. */
  separatePort: boolean;
}

export interface OpsFeature extends Feature {
  /** The routes for the ops port when `separatePort`: /healthz, /readyz, /metrics. */
  readonly opsHttp: Hono | undefined;
}

/**
 * Operations: the per-user rate limit (mount first: its middleware refuses a flood before any
 * feature works on it), Prometheus metrics from core events, and the health routes.
 */
export function createOps({ events, rateLimitPerMinute, readyChecks, gauges, separatePort, warnings }: OpsOptions): OpsFeature {
  const limiter = new RateLimiter(rateLimitPerMinute);
  let sweeper: NodeJS.Timeout | undefined;
  const ops = opsRoutes(readyChecks, createMetrics(events, gauges), warnings);
  return {
    name: 'ops',
    middleware: [rateLimit(limiter)],
    // Without an ops port a newcomer sees everything on one port; with one, the public port keeps only /healthz.
    routes: [{ path: '/', routes: separatePort ? healthRoute() : ops }],
    opsHttp: separatePort ? ops : undefined,
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
