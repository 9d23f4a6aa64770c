import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CoreEvents } from '../../src/core/events.js';
import type { Reply } from '../../src/core/types.js';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/log/logger.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { tr } from '../helpers/locales.js';
import { fileRequest, recordingSender, say, sleep, until } from './drive.js';
import { FaultApi } from './fault-api.js';

/** The durable outbox against a real request-API server that misbehaves on purpose. */

let dir: string;
let api: FaultApi;
let t: TestApp;
let pushed: Map<string, Reply[]>;
const failing = new Map<string, number>();
const logLines: string[] = [];
const logSink = new Writable({
  write(chunk: Buffer, _enc, done) {
    logLines.push(chunk.toString());
    done();
  },
});
const events: { name: keyof CoreEvents; payload: Record<string, unknown> }[] = [];
let n = 0;
const user = () => `u${n++}`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'thunder-rq-'));
  api = await FaultApi.start(join(dir, 'api.sqlite'));
  t = await startTestApp(
    {
      ...api.env(),
      WEB_CHAT: 'false',
      // Generous: on a loaded machine a slower one times out the plain 500/503 answers too.
      REQUEST_API_TIMEOUT_MS: '1500',
      REQUEST_RETRY_BASE_MS: '20',
      REQUEST_RETRY_MAX_MS: '200',
    },
    { log: createLogger('debug', logSink) },
  );
  pushed = recordingSender(t.app.core, failing);
  const core = t.app.core;
  core.events.on('request.created', (p) => events.push({ name: 'request.created', payload: p }));
  core.events.on('request.accepted', (p) => events.push({ name: 'request.accepted', payload: p }));
  core.events.on('request.rejected', (p) => events.push({ name: 'request.rejected', payload: p }));
  core.events.on('request.retry', (p) => events.push({ name: 'request.retry', payload: p }));
});

afterAll(async () => {
  await t?.teardown();
  await api?.close();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  api.plan.length = 0;
});

const outbox = () => t.app.requests!.outbox;
const accepted = (id: string) =>
  until(
    async () => {
      const item = await outbox().get(id);
      return item?.state === 'accepted' && item.notified ? item : undefined;
    },
    8000,
    `request ${id} accepted`,
  );
const eventsOf = (name: keyof CoreEvents, id: string) => events.filter((e) => e.name === name && e.payload.id === id);

describe('outbox delivery', () => {
  it('delivers a confirmed request, then tells the customer the reference and due date', async () => {
    const u = user();
    const id = await fileRequest(t.app.core, u);
    const item = await accepted(id);
    const [filed] = (await api.standin.list()).filter((r) => r.id === item.ref);
    expect(filed?.request.subject).toEqual({ name: 'Jana Bērziņa', email: 'jana@example.lv', phone: '+37126123456' });
    expect(filed?.request.channelRef).toMatch(/^[a-f0-9]{64}$/);
    expect(JSON.stringify(filed)).not.toContain(u);
    expect(item.dueAt).toBe(filed?.dueAt);
    expect(item.request).toBeUndefined();
    const [msg] = pushed.get(`chat-${u}`) ?? [];
    expect(msg?.text).toContain(item.ref!);
    const due = new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'Europe/Riga' }).format(new Date(item.dueAt!));
    expect(msg?.text).toContain(due);
    expect(eventsOf('request.created', id)).toHaveLength(1);
    expect(eventsOf('request.accepted', id)[0]?.payload).toMatchObject({ ref: item.ref, type: 'erasure', dueAt: item.dueAt });
  });

  it('API down, then back: delivered exactly once', async () => {
    await api.down();
    const u = user();
    const id = await fileRequest(t.app.core, u);
    await until(() => eventsOf('request.retry', id).length >= 3, 5000, 'three retries');
    expect((await outbox().get(id))?.state).toBe('pending');
    await api.up();
    const item = await accepted(id);
    const filed = (await api.standin.list()).filter((r) => r.id === item.ref);
    expect(filed).toHaveLength(1);
    expect(api.standin.posts.get(item.idempotencyKey)).toBe(1);
    expect(pushed.get(`chat-${u}`)).toHaveLength(1);
  });

  it('API slow (timeouts) after filing, then OK: the retry gets the same request back, filed once', async () => {
    api.plan.push({ delayMs: 2500 }, { delayMs: 2500 });
    const u = user();
    const id = await fileRequest(t.app.core, u);
    const item = await accepted(id);
    expect(api.standin.posts.get(item.idempotencyKey)).toBeGreaterThanOrEqual(3);
    const all = await api.standin.list();
    const mine = all.find((r) => r.id === item.ref)!;
    expect(
      all.filter((r) => r.request.channelRef === mine.request.channelRef && r.request.submittedAt === mine.request.submittedAt),
    ).toHaveLength(1);
    expect(eventsOf('request.retry', id).map((e) => e.payload.reason)).toContain('timeout');
    expect(eventsOf('request.accepted', id)).toHaveLength(1);
  });

  it('429 with Retry-After: waits at least that long, then delivers', async () => {
    api.plan.push({ status: 429, headers: { 'retry-after': '1' }, body: { error: { code: 'rate_limited', message: 'slow down' } } });
    const before = api.postTimes.length;
    const id = await fileRequest(t.app.core, user());
    await accepted(id);
    const [first, second] = api.postTimes.slice(before);
    expect(second! - first!).toBeGreaterThanOrEqual(950);
  });

  it('500, then 201: delivered on the retry, once', async () => {
    api.plan.push({ status: 500 }, { status: 503 });
    const id = await fileRequest(t.app.core, user());
    const item = await accepted(id);
    expect(eventsOf('request.retry', id).map((e) => e.payload.reason)).toEqual(['http 500', 'http 503']);
    expect((await api.standin.list()).filter((r) => r.id === item.ref)).toHaveLength(1);
  });

  it('a wrong token (401) is retried, not blamed on the customer', async () => {
    api.plan.push({ status: 401, body: { error: { code: 'unauthorized', message: 'no' } } });
    const id = await fileRequest(t.app.core, user());
    await accepted(id);
    expect(eventsOf('request.rejected', id)).toHaveLength(0);
  });

  it('400: the customer is told in plain words, staff get an event, nothing is retried', async () => {
    api.plan.push({ status: 400, body: { error: { code: 'validation_failed', message: 'subject.name: too short' } } });
    const u = user();
    const before = api.postCount;
    const id = await fileRequest(t.app.core, u);
    await until(() => eventsOf('request.rejected', id).length === 1, 5000, 'rejection');
    expect(eventsOf('request.rejected', id)[0]?.payload).toMatchObject({ status: 400, code: 'validation_failed', type: 'erasure' });
    await until(async () => (pushed.get(`chat-${u}`) ?? []).length === 1);
    const [msg] = pushed.get(`chat-${u}`)!;
    expect(msg?.text).toBe(
      tr('en', 'requests:rejected', {
        right: tr('en', 'requests:right.erasure'),
        reason: tr('en', 'requests:rejectReason.validation_failed'),
      }),
    );
    await sleep(300);
    expect(api.postCount - before).toBe(1);
    const item = await outbox().get(id);
    expect(item?.state).toBe('rejected');
    expect(item?.request).toBeUndefined();
    expect(await outbox().listOpen()).not.toContainEqual(expect.objectContaining({ id }));
  });

  it('a malformed 2xx body or a dropped connection is not taken as success', async () => {
    api.plan.push({ status: 201, body: { id: 'FAKE-1' } }, 'reset', { status: 200, body: 'ok' });
    const id = await fileRequest(t.app.core, user());
    const item = await accepted(id);
    expect(item.ref).not.toBe('FAKE-1');
    expect(item.ref).toMatch(/^KW-\d{6}-[0-9A-Z]{6}$/);
    expect(eventsOf('request.retry', id).length).toBe(3);
  });

  it('/status shows the status from the API, and the last known one when it is down', async () => {
    const u = user();
    const id = await fileRequest(t.app.core, u);
    const item = await accepted(id);
    await api.standin.setStatus(item.ref!, 'in_progress');
    const [status] = await say(t.app.core, u, { text: '/status' });
    expect(status?.text).toContain(`${tr('en', 'requests:right.erasure')} — ${tr('en', 'requests:status.in_progress')}, ref. ${item.ref}`);
    await api.down();
    try {
      const [stale] = await say(t.app.core, u, { button: 'cmd:status' });
      expect(stale?.text).toContain(tr('en', 'requests:status.in_progress'));
      expect(stale?.text).toContain(tr('en', 'requests:statusStale'));
    } finally {
      await api.up();
    }
  });

  it('lists open requests for staff, and /forget drops the local copies', async () => {
    const u = user();
    const id = await fileRequest(t.app.core, u, 'portability');
    const item = await accepted(id);
    const open = await t.app.requests!.listOpen();
    expect(open).toContainEqual({ id, type: 'portability', ref: item.ref, status: 'received', dueAt: item.dueAt, channel: 'web' });
    expect(JSON.stringify(open)).not.toContain('Jana');
    // As /forget calls it (the conversation feature owns the command and its confirmation).
    const session = (await t.app.core.sessions.get(`web:${u}`))!;
    await t.app.core.forget({ key: `web:${u}`, session, msg: { channel: 'web', userId: u, chatId: `chat-${u}` } } as never);
    expect(await t.app.core.sessions.get(`web:${u}`)).toBeUndefined();
    expect(await outbox().get(id)).toBeUndefined();
  });

  it('/forget while a request is still being sent: it is still filed, nothing more goes to the forgotten chat, the local copy goes', async () => {
    await api.down();
    const u = user();
    const id = await fileRequest(t.app.core, u);
    await until(() => eventsOf('request.retry', id).length >= 1, 5000, 'a retry');
    const session = (await t.app.core.sessions.get(`web:${u}`))!;
    await t.app.core.forget({ key: `web:${u}`, session, msg: { channel: 'web', userId: u, chatId: `chat-${u}` } } as never);
    expect((await outbox().get(id))?.forgotten).toBe(true);
    await api.up();
    await until(() => eventsOf('request.accepted', id).length === 1, 5000, 'delivery');
    await until(async () => (await outbox().get(id)) === undefined, 5000, 'the local copy to go');
    expect(pushed.get(`chat-${u}`)).toBeUndefined();
  });

  it('the channel down when the reference is ready: the customer is told once it is back', async () => {
    const u = user();
    failing.set(`chat-${u}`, 2);
    const id = await fileRequest(t.app.core, u);
    const item = await accepted(id);
    expect(failing.get(`chat-${u}`)).toBe(0);
    expect(pushed.get(`chat-${u}`)?.map((r) => r.text)).toEqual([expect.stringContaining(item.ref!)]);
  });

  it('stop() waits for a send in flight', async () => {
    api.plan.push({ delayMs: 150 });
    const id = await fileRequest(t.app.core, user());
    const before = api.postCount;
    await until(() => api.postCount > before, 3000, 'the POST');
    await t.app.queue.stop();
    const item = await outbox().get(id);
    expect(item?.state).toBe('accepted');
    await t.app.queue.start();
  });

  it('through all of the above, the logs named request ids and never the request contents', () => {
    const log = logLines.join('');
    expect(log).toContain('request not delivered yet');
    for (const secret of ['Jana', 'Bērziņa', 'jana@example.lv', '26123456', 'subject.name']) expect(log).not.toContain(secret);
  });
});
