import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messengerPayload, whatsappPayload } from '../../src/channels/meta/limits.js';
import type { GapInput, GapSink } from '../../src/learning/types.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import {
  FakeGraph,
  type Payload,
  messagingEvent,
  metaJson,
  pageBody,
  postbackEvent,
  postWebhook,
  textOf,
  waButtonReply,
  waText,
  whatsappBody,
} from '../helpers/fake-graph.js';
import { tr } from '../helpers/locales.js';
import { until } from '../helpers/wait.js';
import { metric, metrics } from './metrics.js';

let graph: FakeGraph;
let t: TestApp;
let url: string;
const gaps: GapInput[] = [];
const sink: GapSink = { capture: async (gap) => void gaps.push(gap), forget: async () => {} };
let nextUser = 7700;

/** Every choice a payload offers: Messenger quick replies, WhatsApp reply buttons and list rows, as [id, title]. */
function choicesOf(p: Payload): [string, string][] {
  const quick = (p.message?.quick_replies ?? []).map((q: Payload) => [q.payload, q.title]);
  const buttons = (p.interactive?.action?.buttons ?? []).map((b: Payload) => [b.reply.id, b.reply.title]);
  const rows = (p.interactive?.action?.sections ?? []).flatMap((s: Payload) => s.rows.map((r: Payload) => [r.id, r.title]));
  return [...quick, ...buttons, ...rows];
}

function ratingOf(calls: { payload: Payload }[], vote: 'up' | 'down'): [string, string] {
  const found = calls.flatMap((c) => choicesOf(c.payload)).find(([id]) => id.startsWith(`fb:${vote}:`));
  if (!found) throw new Error(`no ${vote} choice in ${JSON.stringify(calls.map((c) => c.payload))}`);
  return found;
}

beforeAll(async () => {
  graph = await FakeGraph.start();
  t = await startTestApp(graph.env(), { listen: true, gaps: sink });
  url = t.url!;
});

afterAll(async () => {
  await t?.teardown();
  await graph?.close();
});

describe('answer feedback on Messenger and WhatsApp (real Meta adapter, fake Graph API, signed webhooks)', () => {
  it('Messenger: 👍/👎 as quick replies under the answer; a quick reply is thanked and counted once', async () => {
    const psid = String(nextUser++);
    await postWebhook(url, metaJson(pageBody([messagingEvent(psid, 'Cik ilgi jūs glabājat manus personas datus?')])));
    const answer = await graph.waitFor(psid, 1);
    for (const c of answer) expect(messengerPayload.safeParse(c.payload).success).toBe(true);
    const [up, title] = ratingOf(answer, 'up');
    expect(title).toBe(tr('lv', 'feedback:up'));

    await postWebhook(url, metaJson(pageBody([messagingEvent(psid, title, { quickReply: up })])));
    await graph.waitFor(psid, 2);
    expect(textOf(graph.callsTo(psid)[1]!.payload)).toBe(tr('lv', 'feedback:thanksUp'));
    await postWebhook(url, metaJson(pageBody([messagingEvent(psid, title, { quickReply: up })])));
    await graph.waitFor(psid, 3);
    expect(textOf(graph.callsTo(psid)[2]!.payload)).toBe(tr('lv', 'feedback:already'));
    expect(metric(await metrics(t), 'thunder_answer_feedback_total{entry="retention",vote="up",channel="messenger"}')).toBe(1);
  });

  it('Messenger: a 👎 postback becomes a gap with the question from the session; a forged one counts nothing', async () => {
    const psid = String(nextUser++);
    const question = 'Kas ir manu personas datu pārzinis?';
    await postWebhook(url, metaJson(pageBody([messagingEvent(psid, question)])));
    const [down] = ratingOf(await graph.waitFor(psid, 1), 'down');
    await postWebhook(url, metaJson(pageBody([postbackEvent(psid, down)])));
    await graph.waitFor(psid, 2);
    expect(textOf(graph.callsTo(psid)[1]!.payload).startsWith(tr('lv', 'feedback:thanksDown'))).toBe(true);
    const gap = await until(() => gaps.find((g) => g.text === question));
    expect(gap).toMatchObject({ reason: 'thumbs_down', lang: 'lv', channel: 'messenger' });

    await postWebhook(url, metaJson(pageBody([postbackEvent(psid, 'fb:down:ZZZZZZZZ')])));
    await graph.waitFor(psid, 3);
    expect(textOf(graph.callsTo(psid)[2]!.payload)).toBe(tr('lv', 'feedback:stale'));
    expect(gaps.filter((g) => g.channel === 'messenger')).toHaveLength(1);
  });

  it('WhatsApp: the rating as reply buttons of its own beside the topics, within the limits, counted once', async () => {
    const phone = `3712${nextUser++}`;
    await postWebhook(url, metaJson(whatsappBody(waText('How long do you keep my personal data?'), { phone })));
    // Five choices would need a list: the answer keeps its three topics as reply buttons, and the
    // rating follows as reply buttons of its own.
    const answer = await graph.waitFor(phone, 2);
    expect(answer.map((c) => c.payload.interactive?.type)).toEqual(['button', 'button']);
    expect(choicesOf(answer[0]!.payload).map(([id]) => id)).toEqual(
      t.app.engine.kb.entries.get('retention')!.related.map((id) => `a:${id}`),
    );
    expect(textOf(answer[1]!.payload)).toBe(tr('en', 'meta:rate'));
    for (const c of answer) expect(whatsappPayload.safeParse(c.payload).success).toBe(true);
    const [up, title] = ratingOf(answer, 'up');
    const press = waButtonReply(up, title);

    await postWebhook(url, metaJson(whatsappBody(press, { phone })));
    await graph.waitFor(phone, answer.length + 1);
    expect(textOf(graph.callsTo(phone).at(-1)!.payload)).toBe(tr('en', 'feedback:thanksUp'));
    await postWebhook(url, metaJson(whatsappBody(press, { phone })));
    await graph.waitFor(phone, answer.length + 2);
    expect(textOf(graph.callsTo(phone).at(-1)!.payload)).toBe(tr('en', 'feedback:already'));
    expect(metric(await metrics(t), 'thunder_answer_feedback_total{entry="retention",vote="up",channel="whatsapp"}')).toBe(1);
  });
});
