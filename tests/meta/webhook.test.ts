import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instagramPayload, messengerPayload, whatsappPayload } from '../../src/channels/meta/limits.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import {
  FakeGraph,
  messagingEvent,
  metaJson,
  pageBody,
  postWebhook,
  sign,
  VERIFY_TOKEN,
  waButtonReply,
  waText,
  whatsappBody,
  type GraphCall,
} from '../helpers/fake-graph.js';
import { tr } from '../helpers/locales.js';
import { until } from '../helpers/wait.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));

let graph: FakeGraph;
let t: TestApp;
let url: string;
let nextUser = 9000;
const user = () => String(nextUser++);

/** Every call the adapter made passes the strict limit schemas of its channel. */
function assertWithinLimits(calls: GraphCall[]): void {
  for (const c of calls) {
    const schema = c.path.startsWith('/me') ? (c.to.startsWith('5') ? instagramPayload : messengerPayload) : whatsappPayload;
    const parsed = schema.safeParse(c.payload);
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
  }
}

/** Waits until `psid` got a reply to a fresh message: everything sent to it before was then already sent. */
async function settle(psid: string): Promise<void> {
  const before = graph.callsTo(psid).length;
  await postWebhook(url, metaJson(pageBody([messagingEvent(psid, 'palīdzība')])));
  await graph.waitFor(psid, before + 1);
}

beforeAll(async () => {
  graph = await FakeGraph.start();
  t = await startTestApp({ ...graph.env(), RELAY_RETRY_BASE_MS: '20' }, { listen: true });
  url = t.url!;
});

afterAll(async () => {
  await t?.teardown();
  await graph?.close();
});

describe('GET /meta/webhook: the subscription handshake', () => {
  it('echoes the challenge for the right verify token, without any signature', async () => {
    const res = await fetch(`${url}/meta/webhook?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1158201444`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toBe('1158201444');
  });

  it('refuses a wrong token or mode with 403', async () => {
    expect((await fetch(`${url}/meta/webhook?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1`)).status).toBe(403);
    expect((await fetch(`${url}/meta/webhook?hub.mode=unsubscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1`)).status).toBe(403);
  });
});

describe('POST /meta/webhook', () => {
  it('answers a signed Latvian Messenger question through the Send API, naming the authority', async () => {
    const res = await postWebhook(url, fixture('messenger-text-lv.json'));
    expect(res.status).toBe(200);
    const [answer] = await graph.waitFor('7001');
    expect(answer!.path).toBe('/me/messages');
    expect(answer!.payload.messaging_type).toBe('RESPONSE');
    expect(answer!.payload.message.text).toContain('Datu valsts inspekcij');
    expect(answer!.payload.message.text).toContain('📄 Sūdzības');
    assertWithinLimits(graph.callsTo('7001'));
  });

  it('refuses forged, unsigned and re-serialised bodies, and sends nothing for them', async () => {
    const psid = user();
    const raw = metaJson(pageBody([messagingEvent(psid, 'Kas ir pārzinis? 🤔')]));
    expect((await postWebhook(url, raw, null)).status).toBe(401);
    expect((await postWebhook(url, raw, sign(raw, 'not-the-secret'))).status).toBe(403);
    expect((await postWebhook(url, raw, sign(raw).replace('sha256=', 'sha1='))).status).toBe(403);
    // The same JSON as JSON.stringify writes it: Latvian letters and emoji unescaped.
    const reserialised = JSON.stringify(JSON.parse(raw));
    expect((await postWebhook(url, reserialised, sign(raw))).status).toBe(403);
    await settle(psid);
    // Only the marker's reply: the forged question about the controller was never answered.
    const controller = t.app.engine.kb.entries.get('controller')!.answer.lv.slice(0, 40);
    expect(graph.textsTo(psid).filter((x) => x.includes(controller))).toEqual([]);
    expect(graph.callsTo(psid)).toHaveLength(1);
  });

  it('answers the same delivery once when Meta sends it twice at once', async () => {
    const psid = user();
    const raw = metaJson(pageBody([messagingEvent(psid, 'Kur varu sūdzēties par datu apstrādi?')]));
    const [a, b] = await Promise.all([postWebhook(url, raw), postWebhook(url, raw)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    // And once more later, as a redelivery after the 200.
    await graph.waitFor(psid, 1);
    expect((await postWebhook(url, raw)).status).toBe(200);
    await settle(psid);
    expect(graph.textsTo(psid).filter((x) => x.includes('Datu valsts inspekcij'))).toHaveLength(1);
  });

  it('answers every event of every entry in a batch', async () => {
    expect((await postWebhook(url, fixture('messenger-batch.json'))).status).toBe(200);
    for (const psid of ['7101', '7102', '7103', '7104']) await graph.waitFor(psid);
    expect(graph.textsTo('7102').join(' ')).toMatch(/[a-z]/);
    expect(graph.callsTo('7102')[0]!.payload.message.text).not.toMatch(/[āēīūšžčņķļģ]/);
    assertWithinLimits(graph.calls);
  });

  it('ignores echoes, deliveries, reads and unknown events, still with 200', async () => {
    expect((await postWebhook(url, fixture('messenger-ignored.json'))).status).toBe(200);
    expect((await postWebhook(url, fixture('instagram-message-echo.json'))).status).toBe(200);
    await graph.waitFor('5501');
    await settle('7201');
    expect(graph.callsTo('7201')).toHaveLength(1);
    // The Instagram page itself (the echo's recipient side) got nothing.
    expect(graph.callsTo('17841400000000000')).toEqual([]);
    assertWithinLimits(graph.callsTo('5501'));
  });

  it('handles one chat in timestamp order, within a body and across bodies', async () => {
    const psid = user();
    const now = Date.now();
    const help = messagingEvent(psid, 'palīdzība', { at: now });
    const topics = messagingEvent(psid, 'tēmas', { at: now + 1 });
    const language = messagingEvent(psid, 'valoda', { at: now + 2 });
    // Newest first in one body, and the oldest in a second body that arrives after it.
    await postWebhook(url, metaJson(pageBody([language, topics])));
    await postWebhook(url, metaJson(pageBody([help])));
    const calls = await graph.waitFor(psid, 3);
    expect(calls.map((c) => c.payload.message.text)).toEqual([
      tr('lv', 'conversation:help'),
      tr('lv', 'conversation:topicsPrompt'),
      tr('lv', 'conversation:languagePrompt'),
    ]);
  });

  it('answers an English WhatsApp question in English, to the business-scoped user id', async () => {
    expect((await postWebhook(url, fixture('whatsapp-text-en.json'))).status).toBe(200);
    const [call] = await graph.waitFor('LV.1349120865530274001');
    expect(call!.path).toBe('/106540352242922/messages');
    expect(call!.token).toBe('EAAtestwhatsapptoken');
    const text = graph.textsTo('LV.1349120865530274001').join('\n');
    expect(text).toContain('Data State Inspectorate');
    expect(text).toContain('📄 Complaints');
    assertWithinLimits(graph.callsTo('LV.1349120865530274001'));
  });

  it('turns WhatsApp button and list replies into the same buttons as on Telegram', async () => {
    const phone = `3712${user()}`;
    await postWebhook(url, metaJson(whatsappBody(waButtonReply('cmd:topics', 'Tēmas'), { phone })));
    const [topics] = await graph.waitFor(phone);
    expect(topics!.payload.interactive.type).toBe('list');
    expect(topics!.payload.interactive.body.text).toBe(tr('lv', 'conversation:topicsPrompt'));
    assertWithinLimits(graph.callsTo(phone));
  });

  it('takes "/forget" as a keyword ("aizmirst") and erases the chat', async () => {
    const phone = `3712${user()}`;
    await postWebhook(url, metaJson(whatsappBody(waText('Aizmirst!'), { phone })));
    const [confirm] = await graph.waitFor(phone);
    expect(confirm!.payload.interactive.body.text).toBe(tr('lv', 'conversation:forgetConfirm'));
    const yes = confirm!.payload.interactive.action.buttons.find((b: { reply: { id: string } }) => b.reply.id === 'forget:yes');
    expect(yes.reply.title).toBe(tr('lv', 'conversation:forgetYes'));
    await postWebhook(url, metaJson(whatsappBody(waButtonReply('forget:yes'), { phone })));
    await graph.waitFor(phone, 2);
    expect(graph.textsTo(phone)[1]).toBe(tr('lv', 'conversation:forgotten'));
    expect(await t.app.core.sessions.get(`whatsapp:${phone}`)).toBeUndefined();
    expect(await t.app.store.kv('meta-window').get(`whatsapp:${phone}`)).toBeUndefined();
  });

  it('retries throttling through the durable queue until Meta takes the message', async () => {
    const psid = user();
    graph.failNext(2, { status: 400, code: 613, to: psid });
    await postWebhook(url, metaJson(pageBody([messagingEvent(psid, 'Cik ilgi glabājat manus datus?')])));
    const calls = await graph.waitFor(psid, 3);
    expect(calls[0]!.payload).toEqual(calls[2]!.payload);
    expect(graph.delivered).toBeGreaterThan(0);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/thunder_delivery_failures_total\{channel="messenger",reason="retry"\} [1-9]/);
  });

  it('marks an expired token in the log metric and /readyz', async () => {
    const psid = user();
    graph.failNext(1, { status: 401, code: 190, to: psid });
    await postWebhook(url, metaJson(pageBody([messagingEvent(psid, 'palīdzība')])));
    await graph.waitFor(psid);
    await until(async () => (await fetch(`${url}/readyz`)).status !== 200);
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { checks: Record<string, string> }).checks.meta).toBe('down');
    expect(await (await fetch(`${url}/metrics`)).text()).toMatch(/thunder_delivery_failures_total\{channel="messenger",reason="token"\} 1/);
    // A later success with the (same, here) token brings readiness back.
    await settle(psid);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
  });
});
