import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { eventBody, FakeSlack, postSigned, SUPPORT_CHANNEL } from '../helpers/fake-slack.js';
import { tr } from '../helpers/locales.js';
import { until } from '../helpers/wait.js';

let slack: FakeSlack;
let t: TestApp;

async function api(path: string, body?: unknown): Promise<any> {
  const res = await fetch(
    `${t.url}/api/chat${path}`,
    body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
  );
  expect(res.ok).toBe(true);
  return res.json();
}

beforeAll(async () => {
  slack = await FakeSlack.start();
  t = await startTestApp({ ...slack.env(), SUPPORT_HOURS: '1-7 00:00-24:00', WEB_CHAT: 'true' }, { listen: true });
});

afterAll(async () => {
  await t?.teardown();
  await slack?.close();
});

describe('escalation from the web chat', () => {
  it('a web visitor reaches an agent, and the reply waits in the chat until the page polls', async () => {
    const { sessionId } = await api('/session', { locale: 'en-GB' });
    const opened = await api('/messages', { sessionId, text: '/human' });
    const id = /T-[A-Z0-9]{6}/.exec(JSON.stringify(opened.replies))![0];
    expect(JSON.stringify(opened.replies)).toContain(tr('en', 'escalation:opened', { id }));
    const post = await slack.waitForCall(
      'chat.postMessage',
      (p) => p.channel === SUPPORT_CHANNEL && JSON.stringify(p.blocks ?? '').includes(id),
    );
    expect(JSON.stringify(post.payload.blocks)).toContain('web');
    const tickets = t.app.escalation.tickets;
    await until(async () => (await tickets.get(id))?.desk);

    const ts = post.result!.ts as string;
    await postSigned(
      t.url!,
      eventBody({
        type: 'message',
        channel: SUPPORT_CHANNEL,
        user: 'U0AGENT',
        text: 'Hello from support',
        ts: `${Date.now() / 1000}`,
        thread_ts: ts,
      }),
    );
    const expected = tr('en', 'escalation:agentReply', { text: 'Hello from support' });
    let messages: unknown[] = [];
    for (let i = 0; i < 100 && !JSON.stringify(messages).includes(expected); i++) {
      messages = (await api(`/messages?sessionId=${sessionId}`)).messages;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(JSON.stringify(messages)).toContain(expected);
  });

  it("during a hand-off the page's LV/EN switch and topics work, a message is acknowledged once, and the leave button ends it", async () => {
    const { sessionId } = await api('/session', { locale: 'lv' });
    const opened = await api('/messages', { sessionId, text: '/human' });
    const id = /T-[A-Z0-9]{6}/.exec(JSON.stringify(opened.replies))![0];
    expect(opened.replies.map((r: any) => r.text)).toEqual([tr('lv', 'escalation:opened', { id })]);
    expect(opened.replies[0].buttons.flat().map((b: any) => b.data)).toEqual(['cmd:leave']);
    const first = await api('/messages', { sessionId, text: 'Lūdzu, piezvaniet man' });
    expect(first.replies.map((r: any) => r.text)).toEqual([tr('lv', 'escalation:relayed')]);
    expect((await api('/messages', { sessionId, text: 'Rīt pēc 10' })).replies).toEqual([]);
    const switched = await api('/messages', { sessionId, button: 'lang:en', locale: 'en' });
    expect(switched.replies.map((r: any) => r.text)).toEqual([tr('en', 'conversation:languageSet')]);
    const topics = await api('/messages', { sessionId, button: 'cmd:topics', locale: 'en' });
    expect(topics.replies[0].text).toBe(tr('en', 'conversation:topicsPrompt'));
    const left = await api('/messages', { sessionId, button: 'cmd:leave', locale: 'en' });
    expect(left.replies[0].text).toBe(tr('en', 'escalation:left'));
    expect(await t.app.escalation.tickets.get(id)).toMatchObject({ status: 'resolved', left: true, lang: 'en' });
  });
});
