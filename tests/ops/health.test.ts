import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Feature } from '../../src/core/feature.js';
import { REDIS_URL, startTestApp, type TestApp } from '../helpers/app.js';

/** A request API that answers GET /v1/requests/:id as told: 404 (healthy, unknown id), 401, 500 or never. */
async function startFakeApi() {
  const state = { mode: 'ok' as 'ok' | 'unauthorized' | 'error' | 'hang', seen: [] as (string | undefined)[] };
  const server: Server = createServer((req, res) => {
    state.seen.push(req.headers.authorization);
    if (state.mode === 'hang') return;
    const status = { ok: 404, unauthorized: 401, error: 500 }[state.mode];
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'x', message: 'x' } }));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  let closed = false;
  return Object.assign(state, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      if (closed) return;
      closed = true;
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  });
}

const apps: TestApp[] = [];
async function start(env: Record<string, string> = {}, noStart = false, extraFeatures: Feature[] = []): Promise<TestApp> {
  const t = await startTestApp(env, { listen: true, noStart, extraFeatures });
  apps.push(t);
  return t;
}
afterEach(async () => {
  await Promise.all(apps.splice(0).map((t) => t.teardown()));
});

describe('health routes', () => {
  it('/healthz answers while the process is up', async () => {
    const t = await start();
    const res = await fetch(`${t.url}/healthz`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { status: string }).status).toBe('ok');
  });

  it('/readyz round-trips the store: SQLite and Redis', async () => {
    for (const env of [{}, { REDIS_URL }] as Record<string, string>[]) {
      const t = await start(env);
      const res = await fetch(`${t.url}/readyz`);
      const body = (await res.json()) as { checks: Record<string, string> };
      expect(res.status, JSON.stringify(body)).toBe(200);
      expect(body.checks).toEqual({ store: 'ok', requestApi: 'ok' });
    }
  });

  it('/readyz is 503 while the request API is down or refuses our token, and ready once it answers', async () => {
    const api = await startFakeApi();
    try {
      const t = await start({ REQUEST_API_URL: api.url, REQUEST_API_TOKEN: 'right-token', REQUEST_API_TIMEOUT_MS: '500' });
      const ready = async () => {
        const res = await fetch(`${t.url}/readyz`);
        return [res.status, ((await res.json()) as { checks: Record<string, string> }).checks.requestApi];
      };
      expect(await ready()).toEqual([200, 'ok']);
      expect(api.seen.at(-1)).toBe('Bearer right-token');
      api.mode = 'unauthorized';
      expect(await ready()).toEqual([503, 'down']);
      api.mode = 'error';
      expect(await ready()).toEqual([503, 'down']);
      api.mode = 'hang';
      expect(await ready()).toEqual([503, 'down']);
      api.mode = 'ok';
      expect(await ready()).toEqual([200, 'ok']);
      await api.close();
      expect(await ready()).toEqual([503, 'down']);
    } finally {
      await api.close();
    }
  });

  it('/readyz is 503 and names the check when the store is unreachable', async () => {
    // Services would wait for the store; the routes alone must still answer.
    const t = await start({ REDIS_URL: 'redis://127.0.0.1:1' }, true);
    const res = await fetch(`${t.url}/readyz`);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { checks: Record<string, string> }).checks.store).toBe('down');
  });

  it('/readyz includes checks features add, and a hanging check times out as down', async () => {
    // A feature of the test's own, on the seam: the answer comes only because the check times out.
    const t = await start({}, false, [{ name: 'slow', readyChecks: { slow: () => new Promise<boolean>(() => undefined) } }]);
    const res = await fetch(`${t.url}/readyz`);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { checks: Record<string, string> }).checks).toEqual({ store: 'ok', requestApi: 'ok', slow: 'down' });
  });
});
