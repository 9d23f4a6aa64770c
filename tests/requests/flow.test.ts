import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { Session } from '../../src/core/session.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RIGHTS } from '../../src/answers/schema.js';
import type { Core } from '../../src/core/bot.js';
import { REDIS_URL, startTestApp, type TestApp } from '../helpers/app.js';
import { tr } from '../helpers/locales.js';
import { fileRequest, recordingSender, say, until } from './drive.js';
import { FaultApi } from './fault-api.js';

/** The flow as a state machine: random input never breaks it; drafts and pending requests survive restarts. */

let dir: string;
let api: FaultApi;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'thunder-rq-flow-'));
  api = await FaultApi.start(join(dir, 'api.sqlite'));
});

afterAll(async () => {
  await api?.close();
  rmSync(dir, { recursive: true, force: true });
});

type Input = { text?: string; button?: string; unsupported?: string };

const input: fc.Arbitrary<Input> = fc.oneof(
  fc.string({ maxLength: 200 }).map((text) => ({ text })),
  fc.string({ maxLength: 50, unit: 'binary' }).map((text) => ({ text })),
  fc
    .constantFrom(
      'Jana Bērziņa',
      'jana@example.lv',
      '+371 2612 3456',
      '010190-12345',
      'atcelt',
      'cancel',
      'jā',
      '🙂🙂🙂',
      'x'.repeat(1500),
      '',
      '   ',
      'gribu, lai izdzēšat manus datus',
      'delete my data',
    )
    .map((text) => ({ text })),
  fc
    .constantFrom('/rights', '/cancel', '/status', '/help', '/start', '/language', '/forget', '/rights@thunder_bot now')
    .map((text) => ({ text })),
  fc
    .constantFrom(
      'rq:start',
      'rq:skip',
      'rq:confirm',
      'rq:edit',
      'rq:back',
      'rq:cancel',
      'rq:status',
      'rq:bogus',
      'rq:start:nonsense',
      'rq:edit:nonsense',
      'cmd:status',
      'cmd:rights',
      'lang:en',
      'lang:lv',
      'a:retention',
      ...RIGHTS.flatMap((r) => [`rq:start:${r}`, `rq:right:${r}`]),
      ...['right', 'name', 'contact', 'details'].map((f) => `rq:edit:${f}`),
    )
    .map((button) => ({ button })),
  fc.constant({ unsupported: 'photo' }),
);

/** Answers whatever step the flow is at with valid input until it is filed; returns how many turns it took. */
async function finish(core: Core, user: string): Promise<number> {
  const answers: Record<string, Input> = {
    right: { button: 'rq:right:access' },
    name: { text: 'Jana Bērziņa' },
    contact: { text: 'jana@example.lv' },
    details: { text: 'Par 2024. gada rēķiniem' },
    summary: { button: 'rq:confirm' },
    edit: { button: 'rq:back' },
  };
  await say(core, user, { text: '/rights' });
  for (let turns = 1; turns <= 8; turns++) {
    const flow = (await core.sessions.get(`web:${user}`))?.flow;
    if (!flow) return turns;
    await say(core, user, answers[flow.step]!);
  }
  throw new Error('the flow is stuck');
}

describe('request flow properties', () => {
  let t: TestApp;
  let n = 0;

  beforeAll(async () => {
    t = await startTestApp({ ...api.env(), WEB_CHAT: 'false' }, { noStart: true });
  });
  afterAll(() => t?.teardown());

  it('no input sequence crashes it; cancel always ends it; finishing always files exactly one request', async () => {
    const core = t.app.core;
    await fc.assert(
      fc.asyncProperty(fc.array(input, { maxLength: 12 }), fc.constantFrom('lv', 'en'), async (inputs, locale) => {
        const user = `prop${n++}`;
        for (const i of inputs) {
          const replies = await say(core, user, i, locale);
          for (const r of replies) {
            expect(r.text).not.toBe(tr('lv', 'core:error'));
            expect(r.text).not.toBe(tr('en', 'core:error'));
            expect(r.text.trim().length).toBeGreaterThan(0);
            for (const b of r.buttons?.flat() ?? []) expect(Buffer.byteLength(b.data)).toBeLessThanOrEqual(64);
          }
        }
        const session = await core.sessions.get(`web:${user}`);
        if (session?.flow) {
          const probe = `${user}-c`;
          await core.sessions.set(`web:${probe}`, session);
          await say(core, probe, { button: 'rq:cancel' }, locale);
          expect((await core.sessions.get(`web:${probe}`))?.flow).toBeUndefined();
        }
        const before = session?.requestIds.length ?? 0;
        await finish(core, user);
        const after = (await core.sessions.get(`web:${user}`))!.requestIds;
        expect(after.length).toBe(Math.min(before + 1, 20));
        const item = await t.app.requests!.outbox.get(after.at(-1)!);
        expect(item?.state).toBe('pending');
        expect(item?.request?.subject.name).toBeDefined();
      }),
      { numRuns: 100 },
    );
  });

  it('a double confirm files once; a stale button after it says so', async () => {
    const core = t.app.core;
    const u = `double${n++}`;
    await fileRequest(core, u);
    const [stale] = await say(core, u, { button: 'rq:confirm' });
    expect(stale?.text).toBe(tr('en', 'requests:stale'));
    expect((await core.sessions.get(`web:${u}`))!.requestIds).toHaveLength(1);
  });

  it('a user back after a while is first shown where they are, not taken at their word', async () => {
    const core = t.app.core;
    const u = `back${n++}`;
    await say(core, u, { button: 'rq:start:erasure' }, 'lv');
    const session = (await core.sessions.get(`web:${u}`))!;
    session.flow!.data.at = Date.now() - 60 * 60 * 1000;
    await core.sessions.set(`web:${u}`, session);
    const [m] = await say(core, u, { text: 'Sveiki' }, 'lv');
    expect(m?.text).toContain(tr('lv', 'requests:resumed'));
    expect(m?.text).toContain(tr('lv', 'requests:askName'));
    expect((await core.sessions.get(`web:${u}`))!.flow!.data.name).toBeUndefined();
  });

  it('a draft that fails validation is dropped, not trusted', async () => {
    const core = t.app.core;
    const u = `broken${n++}`;
    const session = (await core.sessions.get(`web:${u}`)) ?? { turns: [], unanswered: 0, requestIds: [] };
    // Written as a foreign version would: the store is a boundary.
    await core.sessions.set(`web:${u}`, {
      ...session,
      flow: { name: 'request', step: 'summary', data: { right: 'nope', at: Date.now() } },
    } as Session);
    const [m] = await say(core, u, { button: 'rq:confirm' });
    expect(m?.text).toBe(tr('en', 'requests:stale'));
    expect((await core.sessions.get(`web:${u}`))!.flow).toBeUndefined();
  });
});

describe('surviving restarts', () => {
  it('a half-filled request survives a restart (SQLite) and continues where it was', async () => {
    const dataDir = join(dir, 'restart');
    const first = await startTestApp({ ...api.env(), WEB_CHAT: 'false' }, { dataDir, noStart: true });
    await say(first.app.core, 'r1', { button: 'rq:start:restriction' }, 'lv');
    await say(first.app.core, 'r1', { text: 'Anna Ozola' }, 'lv');
    await first.teardown();

    const second = await startTestApp({ ...api.env(), WEB_CHAT: 'false' }, { dataDir, storePrefix: first.storePrefix, noStart: true });
    try {
      const [back] = await say(second.app.core, 'r1', { text: '/rights' }, 'lv');
      expect(back?.text).toContain(tr('lv', 'requests:resumed'));
      expect(back?.text).toContain(tr('lv', 'requests:step', { n: 3, total: 5 }));
      await say(second.app.core, 'r1', { text: 'anna@example.lv' }, 'lv');
      const [, summary] = await say(second.app.core, 'r1', { button: 'rq:skip' }, 'lv');
      expect(summary?.text).toContain('Anna Ozola');
      expect(summary?.text).toContain(tr('lv', 'requests:right.restriction'));
    } finally {
      await second.teardown();
    }
  });

  it('a confirmed request left pending is delivered by the next instance (Redis, keyv iterator)', async () => {
    const env = { ...api.env(), WEB_CHAT: 'false', REDIS_URL, REQUEST_RETRY_BASE_MS: '20' };
    const first = await startTestApp(env, { noStart: true });
    const id = await fileRequest(first.app.core, 'redis1');
    expect((await first.app.requests!.outbox.get(id))?.state).toBe('pending');
    await first.teardown();

    const second = await startTestApp(env, { storePrefix: first.storePrefix });
    try {
      const pushed = recordingSender(second.app.core);
      const item = await until(async () => {
        const it = await second.app.requests!.outbox.get(id);
        return it?.state === 'accepted' && it.notified ? it : undefined;
      });
      expect((await api.standin.list()).filter((r) => r.id === item.ref)).toHaveLength(1);
      await until(() => pushed.get('chat-redis1')?.length === 1);
    } finally {
      await second.teardown();
    }
  });

  it('two instances on one Redis resuming the same request: filed once, the customer told once', async () => {
    const env = { ...api.env(), WEB_CHAT: 'false', REDIS_URL, REQUEST_RETRY_BASE_MS: '20' };
    const a = await startTestApp(env, { noStart: true });
    const b = await startTestApp(env, { noStart: true, storePrefix: a.storePrefix });
    try {
      const id = await fileRequest(a.app.core, 'twice');
      const pushedA = recordingSender(a.app.core);
      const pushedB = recordingSender(b.app.core);
      await Promise.all([a.app.queue.start(), b.app.queue.start()]);
      const item = await until(async () => {
        const it = await a.app.requests!.outbox.get(id);
        return it?.state === 'accepted' && it.notified ? it : undefined;
      });
      await new Promise((r) => setTimeout(r, 300));
      expect((await api.standin.list()).filter((r) => r.id === item.ref)).toHaveLength(1);
      expect(api.standin.posts.get(item.idempotencyKey)).toBe(1);
      expect([...(pushedA.get('chat-twice') ?? []), ...(pushedB.get('chat-twice') ?? [])]).toHaveLength(1);
    } finally {
      await a.app.queue.stop();
      await b.app.queue.stop();
      await a.teardown();
      await b.teardown();
    }
  });
});
