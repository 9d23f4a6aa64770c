import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { FakeSlack } from '../helpers/fake-slack.js';

/** HTTP limits: a body limit on every route (413, connection closed), new chat sessions per address. */

let slack: FakeSlack;
let t: TestApp;
let proxied: TestApp;

beforeAll(async () => {
  slack = await FakeSlack.start();
  t = await startTestApp({ ...slack.env(), WEB_SESSIONS_PER_MINUTE: '3' }, { listen: true });
  proxied = await startTestApp({ WEB_SESSIONS_PER_MINUTE: '3', TRUST_PROXY: 'true' }, { listen: true });
});

afterAll(async () => {
  await t?.teardown();
  await proxied?.teardown();
  await slack?.close();
});

/** A raw POST (fetch hides hop-by-hop headers); the server may close before the body is sent. */
function post(
  url: string,
  path: string,
  bytes: number,
  headers: Record<string, string> = {},
): Promise<{ status: number; connection: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}${path}`,
      { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(bytes), ...headers } },
      (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, connection: res.headers.connection });
      },
    );
    req.on('error', reject);
    req.end(Buffer.alloc(bytes, 0x20));
  });
}

describe('body limits', () => {
  it.each([
    ['the web chat API', '/api/chat/messages', 40 * 1024],
    ['Slack events', '/slack/events', 600 * 1024],
    ['a route nobody serves', '/nothing/here', 2 * 1024 * 1024],
    ['the health check', '/healthz', 2 * 1024 * 1024],
  ])('%s: an oversized body gets 413 and the connection is closed', async (_, path, bytes) => {
    const res = await post(t.url!, path, bytes);
    expect(res.status).toBe(413);
    expect(res.connection).toBe('close');
  });

  it('a body under the limit is served as before', async () => {
    const res = await post(t.url!, '/api/chat/session', 2);
    expect(res.status).toBe(201);
    expect(res.connection).not.toBe('close');
  });
});

describe('new web-chat sessions per client address', () => {
  it('refuses a burst of new sessions from one address with 429 and Retry-After; X-Forwarded-For is ignored without TRUST_PROXY', async () => {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 6; i++) {
      const res = await fetch(`${t.url}/api/chat/session`, { method: 'POST', headers: { 'x-forwarded-for': `203.0.113.${i}` } });
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers.get('retry-after');
      await res.body?.cancel();
    }
    // The test app's first session was taken by the "served as before" test or not: at most 3 in all.
    expect(statuses.filter((s) => s === 201).length).toBeLessThanOrEqual(3);
    expect(statuses.slice(-3)).toEqual([429, 429, 429]);
    expect(Number(retryAfter)).toBeGreaterThan(0);
  });

  it('behind a trusted proxy, each client address (the last X-Forwarded-For entry) has its own allowance', async () => {
    const open = async (xff: string) =>
      (await fetch(`${proxied.url}/api/chat/session`, { method: 'POST', headers: { 'x-forwarded-for': xff } })).status;
    const one = [];
    for (let i = 0; i < 4; i++) one.push(await open('198.51.100.7, 192.0.2.1'));
    expect(one).toEqual([201, 201, 201, 429]);
    // A spoofed first entry does not buy a new allowance; another real client does.
    expect(await open('10.9.9.9, 192.0.2.1')).toBe(429);
    expect(await open('198.51.100.7, 192.0.2.2')).toBe(201);
  });
});
