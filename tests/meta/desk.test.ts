import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { whatsappPayload } from '../../src/channels/meta/limits.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import {
  FakeGraph,
  messagingEvent,
  metaJson,
  pageBody,
  postWebhook,
  textOf,
  waButtonReply,
  waText,
  whatsappBody,
  type GraphCall,
} from '../helpers/fake-graph.js';
import { eventBody, FakeSlack, postSigned, SUPPORT_CHANNEL } from '../helpers/fake-slack.js';
import { tr } from '../helpers/locales.js';
import { FaultApi } from '../requests/fault-api.js';
import { until, WAIT_MS } from '../helpers/wait.js';

const HOUR = 60 * 60 * 1000;
const TEMPLATE = 'thunder_reply_waiting';

let graph: FakeGraph;
let slack: FakeSlack;
let api: FaultApi;
let apiDir: string;
let t: TestApp;
let url: string;
let nextUser = 8000;
const user = () => String(nextUser++);

/** The first call to `to`, from index `from` on, whose text satisfies `match` (made already or coming). */
async function sent(to: string, match: (text: string, call: GraphCall) => boolean, from = 0, timeout = WAIT_MS): Promise<GraphCall> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const found = graph
      .callsTo(to)
      .slice(from)
      .find((c) => match(textOf(c.payload), c));
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`${to}: no matching message within ${timeout} ms; got ${JSON.stringify(graph.textsTo(to))}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const messenger = (psid: string, text: string) => postWebhook(url, metaJson(pageBody([messagingEvent(psid, text)])));
const whatsapp = (phone: string, message: Record<string, unknown>) => postWebhook(url, metaJson(whatsappBody(message, { phone })));
const agentSays = (ts: string, text: string) =>
  postSigned(
    url,
    eventBody({
      type: 'message',
      channel: SUPPORT_CHANNEL,
      channel_type: 'channel',
      user: 'U0AGENT',
      text,
      ts: `${Date.now() / 1000}`,
      thread_ts: ts,
    }),
  );
const lastWrote = (key: string, at: number) => t.app.store.kv<number>('meta-window').set(key, at);

/** The next Slack post with exactly this text, after those already made. */
async function nextPost(text: string) {
  const before = slack.callsOf('chat.postMessage', (p) => p.text === text).length;
  return until(
    () =>
      slack
        .callsOf('chat.postMessage', (p) => p.text === text)
        .slice(before)
        .at(-1),
    WAIT_MS,
    `a new Slack post "${text}"`,
  );
}

/** Opens a ticket from Messenger with the keyword "cilvēks"; returns the Slack thread ts. */
async function openTicket(psid: string): Promise<string> {
  await messenger(psid, 'cilvēks');
  const opened = await sent(psid, (x) => x.startsWith(tr('lv', 'escalation:opened', { id: 'X' }).slice(0, 20)));
  const id = /T-[A-Z0-9]{6}/.exec(textOf(opened.payload))![0];
  const post = await slack.waitForCall(
    'chat.postMessage',
    (p) => p.channel === SUPPORT_CHANNEL && !p.thread_ts && JSON.stringify(p.blocks).includes(id),
  );
  const tickets = t.app.escalation.tickets;
  await until(async () => (await tickets.get(id))?.desk);
  expect(JSON.stringify(post.payload.blocks)).toContain('messenger');
  return post.result!.ts as string;
}

beforeAll(async () => {
  apiDir = mkdtempSync(join(tmpdir(), 'thunder-meta-api-'));
  [graph, slack, api] = await Promise.all([FakeGraph.start(), FakeSlack.start(), FaultApi.start(join(apiDir, 'api.sqlite'))]);
  t = await startTestApp(
    {
      ...graph.env(),
      ...slack.env(),
      ...api.env(),
      SUPPORT_HOURS: '1-7 00:00-24:00',
      WEB_CHAT: 'false',
      RELAY_RETRY_BASE_MS: '20',
      REQUEST_RETRY_BASE_MS: '20',
      META_HUMAN_AGENT_TAG: 'true',
      WHATSAPP_REENGAGE_TEMPLATE: TEMPLATE,
    },
    { listen: true },
  );
  url = t.url!;
});

afterAll(async () => {
  await t?.teardown();
  await Promise.all([graph?.close(), slack?.close(), api?.close()]);
  rmSync(apiDir, { recursive: true, force: true });
});

describe('the same Thunder on WhatsApp: a rights request filed end to end', () => {
  it('from the question to the company request API, with reply buttons, a list and the reference', async () => {
    const phone = `3712${user()}`;
    // A wish to use a right starts the request form at once, the right already chosen.
    await whatsapp(phone, waText('Vēlos, lai izdzēšat visus manus personas datus'));
    const askName = await sent(phone, (x) => x.includes(tr('lv', 'requests:askName')));
    expect(askName.payload.interactive).toMatchObject({ type: 'button', action: { buttons: [{ reply: { id: 'rq:cancel' } }] } });
    await whatsapp(phone, waText('Jānis Bērziņš'));
    await sent(phone, (x) => x.includes(tr('lv', 'requests:askContact')));
    await whatsapp(phone, waText('janis@example.lv +371 26123456'));
    const details = await sent(phone, (x) => x.includes(tr('lv', 'requests:askDetails')));
    expect(details.payload.interactive.action.buttons.map((b: { reply: { id: string } }) => b.reply.id)).toEqual(['rq:skip', 'rq:cancel']);
    await whatsapp(phone, waButtonReply('rq:skip'));
    const summary = await sent(phone, (x) => x.includes('Jānis Bērziņš') && x.includes('janis@example.lv'));
    expect(JSON.stringify(summary.payload)).toContain('rq:confirm');
    await whatsapp(phone, waButtonReply('rq:confirm'));
    await sent(phone, (x) => x === tr('lv', 'requests:recorded'));

    const filed = await until(
      async () => {
        const found = (await api.standin.list()).filter((r) => JSON.stringify(r).includes('janis@example.lv'));
        return found.length ? found : undefined;
      },
      WAIT_MS,
      'the request at the company API',
    );
    expect(filed).toHaveLength(1);
    expect(filed[0]).toMatchObject({ type: 'erasure', request: { channel: 'whatsapp' } });
    // The reference comes back to the same WhatsApp chat once the company's API took it.
    await sent(phone, (x) => x.includes(filed[0]!.id));
    for (const c of graph.callsTo(phone)) expect(whatsappPayload.safeParse(c.payload).success).toBe(true);
  });
});

describe('escalation from Messenger to the Slack desk and back', () => {
  it("delivers an agent's Slack reply to the Messenger user, then with HUMAN_AGENT after 24 h, and tells the agent after 7 days", async () => {
    const psid = user();
    const ts = await openTicket(psid);

    const count = graph.callsTo(psid).length;
    await agentSays(ts, 'Labdien! Jūsu dati ir dzēsti. ✅');
    const reply = await sent(psid, (x) => x === tr('lv', 'escalation:agentReply', { text: 'Labdien! Jūsu dati ir dzēsti. ✅' }), count);
    expect(reply.payload.messaging_type).toBe('UPDATE');
    expect(reply.payload.tag).toBeUndefined();

    // 25 hours after the customer's last message: the person's reply goes with the HUMAN_AGENT tag.
    await lastWrote(`messenger:${psid}`, Date.now() - 25 * HOUR);
    const later = graph.callsTo(psid).length;
    await agentSays(ts, 'Vai vēl kas?');
    const tagged = await sent(psid, (x) => x.includes('Vai vēl kas?'), later);
    expect(tagged.payload).toMatchObject({ messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' });

    // 8 days: nothing goes out; the agent is told in the thread.
    await lastWrote(`messenger:${psid}`, Date.now() - 8 * 24 * HOUR);
    const before = graph.callsTo(psid).length;
    await agentSays(ts, 'Sveiki vēlreiz');
    const note = await slack.waitForCall(
      'chat.postMessage',
      (p) => p.thread_ts === ts && p.text === tr('lv', 'slack:noteUnreachable.window', { channel: 'Messenger' }),
    );
    expect(note.payload.channel).toBe(SUPPORT_CHANNEL);
    expect(
      graph
        .callsTo(psid)
        .slice(before)
        .filter((c) => textOf(c.payload).includes('Sveiki vēlreiz')),
    ).toEqual([]);
  });

  it('never tags the bot: its own notices after 24 h are not sent while an agent has the chat', async () => {
    const psid = user();
    const ts = await openTicket(psid);
    await lastWrote(`messenger:${psid}`, Date.now() - 25 * HOUR);
    const before = graph.callsTo(psid).length;
    // The agent's first reply claims the ticket: the bot's "agent joined" notice is bot text, the reply is a person's.
    await agentSays(ts, 'Esmu šeit.');
    await sent(psid, (x) => x.includes('Esmu šeit.'), before);
    const after = graph.callsTo(psid).slice(before);
    expect(after.map((c) => textOf(c.payload))).not.toContain(tr('lv', 'escalation:agentJoined'));
    expect(after.every((c) => c.payload.tag === 'HUMAN_AGENT')).toBe(true);
  });
});

describe('window and availability errors from Meta become a hand-off, never a retry', () => {
  it('Messenger 10/2018278: the conversation goes to the desk with a note', async () => {
    const psid = user();
    graph.failNext(1, { status: 400, code: 10, subcode: 2018278, to: psid });
    const noted = nextPost(tr('lv', 'slack:noteUnreachable.window', { channel: 'Messenger' }));
    await messenger(psid, 'Kas ir pārzinis?');
    const note = await noted;
    const ticket = slack
      .callsOf('chat.postMessage', (p) => !p.thread_ts && p.channel === SUPPORT_CHANNEL)
      .find((c) => c.result?.ts === note.payload.thread_ts);
    expect(ticket).toBeDefined();
    expect(graph.callsTo(psid)).toHaveLength(1);
    // The customer's next message goes to the agent, not to the bot.
    await messenger(psid, 'Vai mani dzirdat?');
    await slack.waitForCall(
      'chat.postMessage',
      (p) => p.thread_ts === note.payload.thread_ts && String(p.text).includes('Vai mani dzirdat?'),
    );
  });

  it('Messenger 551 (messages turned off) and WhatsApp 131047 (re-engagement): noted, not retried', async () => {
    const psid = user();
    graph.failNext(1, { status: 400, code: 551, subcode: 1545041, to: psid });
    const unavailable = nextPost(tr('lv', 'slack:noteUnreachable.unavailable', { channel: 'Messenger' }));
    await messenger(psid, 'Kas ir pārzinis?');
    await unavailable;
    expect(graph.callsTo(psid)).toHaveLength(1);

    const phone = `3712${user()}`;
    graph.failNext(1, { status: 400, code: 131047, to: phone });
    // Staff read notes in the staff language (DEFAULT_LANG), whatever the customer's.
    const window = nextPost(tr('lv', 'slack:noteUnreachable.window', { channel: 'WhatsApp' }));
    await whatsapp(phone, waText('Who is the controller?'));
    await window;
    expect(graph.callsTo(phone)).toHaveLength(1);
  });
});

describe("WhatsApp after 24 hours: the agent's reply waits behind the approved template", () => {
  it('sends the template, tells the agent, and delivers the reply when the customer answers', async () => {
    const phone = `3712${user()}`;
    await whatsapp(phone, waText('cilvēks'));
    const opened = await sent(phone, (x) => x.includes('T-'));
    const id = /T-[A-Z0-9]{6}/.exec(textOf(opened.payload))![0];
    const post = await slack.waitForCall('chat.postMessage', (p) => !p.thread_ts && JSON.stringify(p.blocks).includes(id));
    const ts = post.result!.ts as string;
    await until(async () => (await t.app.escalation.tickets.get(id))?.desk);

    await lastWrote(`whatsapp:${phone}`, Date.now() - 30 * HOUR);
    const before = graph.callsTo(phone).length;
    await agentSays(ts, 'Jūsu pieprasījums ir izpildīts.');
    const template = await sent(phone, (_, c) => c.payload.type === 'template', before);
    expect(template.payload.template).toEqual({ name: TEMPLATE, language: { code: 'lv' } });
    await slack.waitForCall(
      'chat.postMessage',
      (p) => p.thread_ts === ts && p.text === tr('lv', 'slack:noteUnreachable.reengaged', { channel: 'WhatsApp' }),
    );
    expect(graph.textsTo(phone).some((x) => x.includes('Jūsu pieprasījums ir izpildīts.'))).toBe(false);

    // The customer answers the template: the window is open again and the held reply goes out.
    await whatsapp(phone, waText('Labi, klausos'));
    await sent(phone, (x) => x.includes('Jūsu pieprasījums ir izpildīts.'), before);
  });
});
