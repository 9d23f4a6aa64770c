import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Incoming } from '../../src/core/types.js';
import { REDIS_URL, startTestApp, uniquePrefix, type TestApp } from '../helpers/app.js';
import { commandBody, eventBody, FakeSlack, postSigned, SUPPORT_CHANNEL, type Payload } from '../helpers/fake-slack.js';
import { tr } from '../helpers/locales.js';

const FORM = 'application/x-www-form-urlencoded';
const DAY_MS = 24 * 60 * 60 * 1000;

let slack: FakeSlack;
let t: TestApp;

async function slash(app: TestApp, text: string): Promise<Payload> {
  const res = await postSigned(app.url!, commandBody('/privacy', text), { contentType: FORM });
  expect(res.status).toBe(200);
  return (await res.json()) as Payload;
}

const lvDate = (iso: string) => new Intl.DateTimeFormat('lv-LV', { timeZone: 'Europe/Riga', dateStyle: 'medium' }).format(new Date(iso));
const today = () =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Riga', year: 'numeric', month: '2-digit', day: '2-digit' }).format(Date.now());

function addRequest(app: TestApp, type: 'erasure' | 'access', submittedAt: Date, name: string) {
  return app.app.requests!.outbox.add({
    key: randomUUID(),
    channel: 'web',
    chatId: name,
    lang: 'lv',
    request: {
      type,
      subject: { name, email: `${name.toLowerCase()}@example.lv` },
      language: 'lv',
      channel: 'web',
      channelRef: 'a'.repeat(64),
      submittedAt: submittedAt.toISOString(),
    },
  });
}

/** The stats table row of today as numbers: answered, unanswered, escalations. */
function todayRow(body: Payload): number[] {
  const table = JSON.stringify(body.blocks);
  const row = new RegExp(`${today()}\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)`).exec(table);
  expect(row, table).not.toBeNull();
  return row!.slice(1).map(Number);
}

function ask(app: TestApp, userId: string, text: string) {
  const msg: Incoming = { channel: 'web', userId, chatId: userId, text };
  return app.app.core.handle(msg);
}

beforeAll(async () => {
  slack = await FakeSlack.start();
  t = await startTestApp({ ...slack.env(), WEB_CHAT: 'false' }, { listen: true });
});

afterAll(async () => {
  await t?.teardown();
  await slack?.close();
});

describe('requests desk in the support channel', () => {
  it('announces every new rights request with id, type and due date, and no personal data', async () => {
    const item = await addRequest(t, 'erasure', new Date(Date.now() - 40 * DAY_MS), 'Anna');
    const call = await slack.waitForCall('chat.postMessage', (p) => p.channel === SUPPORT_CHANNEL && String(p.text).includes(item.id));
    const due = new Date(Date.parse(item.receivedAt));
    due.setUTCMonth(due.getUTCMonth() + 1);
    expect(call.payload.text).toBe(
      tr('lv', 'slack:requestNew', { id: item.id, type: tr('lv', 'slack:right.erasure'), due: lvDate(due.toISOString()) }),
    );
    const all = JSON.stringify(call.payload);
    expect(all).not.toContain('Anna');
    expect(all).not.toContain('anna@example.lv');
  });

  it('surfaces a request the request API refused, with ids and codes only', async () => {
    t.app.core.events.emit('request.rejected', {
      id: 'req-rejected-1',
      type: 'portability',
      channel: 'telegram',
      status: 422,
      code: 'invalid_subject',
    });
    const call = await slack.waitForCall('chat.postMessage', (p) => String(p.text).includes('req-rejected-1'));
    expect(call.payload.channel).toBe(SUPPORT_CHANNEL);
    expect(call.payload.text).toBe(
      tr('lv', 'slack:requestRejected', {
        id: 'req-rejected-1',
        type: tr('lv', 'slack:right.portability'),
        status: 422,
        code: 'invalid_subject',
      }),
    );
  });

  it('/privacy requests lists open requests, overdue first, without personal data', async () => {
    const fresh = await addRequest(t, 'access', new Date(), 'Berta');
    await slack.waitForCall('chat.postMessage', (p) => String(p.text).includes(fresh.id));
    const body = await slash(t, 'requests');
    expect(body.response_type).toBe('ephemeral');
    expect(body.text).toBe(tr('lv', 'slack:requestsTitle', { count: 2, overdue: 1 }));
    const list = String((body.blocks as Payload[])[1]!.text.text);
    const lines = list.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain(tr('lv', 'slack:right.erasure'));
    expect(lines[0]).toContain(':warning:');
    expect(lines[1]).toContain(tr('lv', 'slack:right.access'));
    expect(lines[1]).not.toContain(':warning:');
    expect(list).not.toMatch(/Anna|Berta|example\.lv/);
  });

  it('/privacy stats counts answered and unanswered questions and escalations from the store', async () => {
    expect(todayRow(await slash(t, 'stats'))).toEqual([0, 0, 0]);
    await ask(t, 'v1', 'Cik ilgi jūs glabājat manus datus?');
    await ask(t, 'v1', 'Kas ir datu pārzinis?');
    await ask(t, 'v2', 'Kāda būs laika prognoze rīt?');
    await ask(t, 'v2', 'what is the weather in Tokyo tomorrow');
    await ask(t, 'v2', '/human');
    const body = await slash(t, 'stats');
    expect(body.text).toBe(tr('lv', 'slack:statsTitle', { days: 7 }));
    // "Did you mean" counts as unanswered as much as a plain fallback does.
    expect(todayRow(body)).toEqual([2, 2, 1]);
  });
});

describe('two instances on one Redis', () => {
  it('an event Slack redelivers to the other instance is handled once', async () => {
    const prefix = uniquePrefix('dedupe');
    const env = { ...slack.env(), WEB_CHAT: 'false', REDIS_URL };
    const a = await startTestApp(env, { listen: true, storePrefix: prefix });
    const b = await startTestApp(env, { listen: true, storePrefix: prefix });
    try {
      const body = eventBody({
        type: 'message',
        channel_type: 'im',
        channel: 'D0DEDUPE',
        user: 'U0STAFF',
        text: 'Kas ir pārzinis?',
        ts: '1764000500.000100',
      });
      const [ra, rb] = await Promise.all([postSigned(a.url!, body), postSigned(b.url!, body)]);
      expect([ra.status, rb.status]).toEqual([200, 200]);
      await slack.waitForCall('chat.postMessage', (p) => p.channel === 'D0DEDUPE');
      await new Promise((r) => setTimeout(r, 300));
      expect(slack.callsOf('chat.postMessage', (p) => p.channel === 'D0DEDUPE')).toHaveLength(1);
    } finally {
      await a.teardown();
      await b.teardown();
    }
  });
});

describe('stats are shared between instances and survive a restart (Redis)', () => {
  it('two instances count into one total; a new instance still sees it', async () => {
    const prefix = uniquePrefix('stats');
    const env = { ...slack.env(), WEB_CHAT: 'false', REDIS_URL };
    const a = await startTestApp(env, { listen: true, storePrefix: prefix });
    const b = await startTestApp(env, { listen: true, storePrefix: prefix });
    try {
      await ask(a, 'r1', 'Cik ilgi jūs glabājat manus datus?');
      await ask(b, 'r2', 'Kas ir datu pārzinis?');
      await ask(b, 'r2', 'Kāda būs laika prognoze rīt?');
      // Each instance adds its own counts to the shared day when asked (or every few seconds).
      await slash(a, 'stats');
      expect(todayRow(await slash(b, 'stats'))).toEqual([2, 1, 0]);
      // Flushes of both instances at the same moment lose nothing (atomic increments).
      const [sa, sb] = [a.app.stats, b.app.stats];
      for (let round = 0; round < 20; round++) {
        for (let i = 0; i < 25; i++) {
          sa.count('answered');
          sb.count('answered');
        }
        await Promise.all([sa.flush(), sb.flush()]);
      }
      expect(todayRow(await slash(a, 'stats'))).toEqual([1002, 1, 0]);
    } finally {
      await a.teardown();
      await b.teardown();
    }
    const c = await startTestApp(env, { listen: true, storePrefix: prefix });
    try {
      expect(todayRow(await slash(c, 'stats'))).toEqual([1002, 1, 0]);
    } finally {
      await c.teardown();
    }
  });
});
