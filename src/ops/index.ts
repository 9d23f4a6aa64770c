import type { App } from '../app.js';
import { opsRoutes, type Check } from './health.js';
import { escalationOf } from '../escalation/index.js';
import { Counter } from 'prom-client';
import { createMetrics } from './metrics.js';
import { RateLimiter, rateLimit } from './ratelimit.js';

const SWEEP_MS = 60_000;
const checksOf = new WeakMap<App, Map<string, Check>>();

/**
 * Operations: the per-user rate limit (the first middleware), Prometheus metrics from core
 * events, and the health routes. Features add readiness checks with `addReadyCheck`.
 */
export function installOps(app: App): void {
  const checks = new Map<string, Check>([['store', () => app.store.ping()]]);
  checksOf.set(app, checks);
  const register = createMetrics(app.core.events, {
    async pendingRequests() {
      const open = (await app.requests?.listOpen()) ?? [];
      return open.filter((r) => r.status === 'sending').length;
    },
    // Escalation installs after ops: look it up at scrape time.
    openEscalations: async () => (await escalationOf(app)?.escalation.tickets.countOpen()) ?? 0,
  });
  const jobs = new Counter({
    name: 'thunder_jobs_total',
    help: 'Job outcomes on this instance: done, retry, failed (dropped as undeliverable), missing (listed, data gone: an error)',
    labelNames: ['outcome', 'kind'],
    registers: [register],
  });
  for (const event of ['done', 'retry', 'failed', 'missing']) jobs.inc({ outcome: event, kind: 'request.submit' }, 0);
  app.queue.observe((outcome, kind) => jobs.inc({ outcome, kind }));
  app.http.route('/', opsRoutes(checks, register));

  const limiter = new RateLimiter(app.config.RATE_LIMIT_PER_MINUTE);
  app.core.use(rateLimit(limiter));
  let sweeper: NodeJS.Timeout | undefined;
  app.services.push({
    name: 'rate-limit',
    start: async () => {
      sweeper = setInterval(() => limiter.sweep(), SWEEP_MS).unref();
    },
    stop: async () => clearInterval(sweeper),
  });
}

/** Makes `/readyz` also require `check` (e.g. the request API); call after installOps. */
export function addReadyCheck(app: App, name: string, check: Check): void {
  const checks = checksOf.get(app);
  if (!checks) throw new Error('installOps must run before addReadyCheck');
  checks.set(name, check);
}
