import { Hono } from 'hono';
import type { Registry } from 'prom-client';
import type { ReadyCheck } from '../core/feature.js';

const CHECK_TIMEOUT_MS = 2000;

async function run(check: ReadyCheck): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((done) => {
    timer = setTimeout(() => done(false), CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([check().catch(() => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** `/healthz`: the process answers. */
export function healthRoute(): Hono {
  const routes = new Hono();
  const started = Date.now();
  routes.get('/healthz', (c) => c.json({ status: 'ok', uptimeSeconds: Math.round((Date.now() - started) / 1000) }));
  return routes;
}

/** `/healthz`, `/readyz` (its dependencies answer), `/metrics` (Prometheus). */
export function opsRoutes(checks: ReadonlyMap<string, ReadyCheck>, register: Registry, warnings: () => string[] = () => []): Hono {
  const routes = new Hono();
  routes.route('/', healthRoute());
  routes.get('/readyz', async (c) => {
    const current = [...checks];
    const results = await Promise.all(current.map(([, check]) => run(check)));
    const status = Object.fromEntries(current.map(([name], i) => [name, results[i] ? 'ok' : 'down']));
    const ready = results.every(Boolean);
    // Warnings do not take the instance out of rotation; they name a risk an operator must fix.
    const warned = warnings();
    return c.json({ status: ready ? 'ready' : 'not ready', checks: status, ...(warned.length && { warnings: warned }) }, ready ? 200 : 503);
  });
  routes.get('/metrics', async (c) => {
    c.header('content-type', register.contentType);
    return c.body(await register.metrics());
  });
  return routes;
}
