import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { buttonBody, eventBody, FakeSlack, postSigned, SUPPORT_CHANNEL, type Payload } from '../helpers/fake-slack.js';
import { FakeTelegram, type SentMessage } from '../helpers/fake-telegram.js';
import { htmlText, tr } from '../helpers/locales.js';
import { until } from '../helpers/wait.js';

const FORM = 'application/x-www-form-urlencoded';
const ALWAYS_OPEN = '1-7 00:00-24:00';

let tg: FakeTelegram;
let slack: FakeSlack;
let t: TestApp;
let url: string;
let nextUser = 5000;

const textOf = (m: SentMessage) => htmlText(m.text);
const buttonsOf = (m: SentMessage): { text: string; callback_data: string }[] => (m.reply_markup?.inline_keyboard ?? []).flat();
const ticketPosts = () => slack.callsOf('chat.postMessage', (p) => p.channel === SUPPORT_CHANNEL && !p.thread_ts);
const threadPosts = (ts: string) => slack.callsOf('chat.postMessage', (p) => p.thread_ts === ts);
const pause = (ms = 300) => new Promise((r) => setTimeout(r, ms));

/** Waits until the chat has a bot message with exactly this text (it may already be there). */
async function received(user: number, text: string, timeout = 5000): Promise<SentMessage> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const found = tg.messagesOf(user).find((m) => textOf(m) === text);
    if (found) return found;
    if (Date.now() > deadline)
      throw new Error(`chat ${user}: no "${text}" within ${timeout} ms; got ${JSON.stringify(tg.messagesOf(user).map(textOf))}`);
    await pause(10);
  }
}

/** Opens a ticket for a new Telegram user via /human; returns the user, ticket id and the ticket message ts. */
async function openTicket(lang = 'lv', before: string[] = []): Promise<{ user: number; id: string; ts: string; post: Payload }> {
  const user = nextUser++;
  for (const q of before) {
    tg.sendText(user, q, { lang });
    await tg.nextMessages(user);
  }
  const posted = ticketPosts().length;
  tg.sendCommand(user, '/human', { lang });
  const [opened] = await tg.nextMessages(user);
  const id = /T-[A-Z0-9]{6}/.exec(textOf(opened!))?.[0];
  expect(id, textOf(opened!)).toBeDefined();
  const call = await slack.waitForCall(
    'chat.postMessage',
    (p) => p.channel === SUPPORT_CHANNEL && !p.thread_ts && JSON.stringify(p.blocks).includes(id!),
  );
  expect(ticketPosts().length).toBe(posted + 1);
  // The thread is known to the app once it has stored the ticket's ts (a moment after Slack answered).
  const tickets = t.app.escalation.tickets;
  for (let i = 0; i < 100 && !(await tickets.get(id!))?.desk; i++) await pause(20);
  expect((await tickets.get(id!))?.desk).toEqual({ channel: SUPPORT_CHANNEL, ts: call.result!.ts });
  return { user, id: id!, ts: call.result!.ts as string, post: call.payload };
}

function agentSays(ts: string, text: string, user = 'U0AGENT') {
  return postSigned(
    url,
    eventBody({
      type: 'message',
      channel: SUPPORT_CHANNEL,
      channel_type: 'channel',
      user,
      text,
      ts: `${Date.now() / 1000}`,
      thread_ts: ts,
    }),
  );
}

function press(action: 'claim' | 'resolve', id: string, ts: string, user = 'U0AGENT') {
  return postSigned(url, buttonBody(`esc:${action}`, id, user, SUPPORT_CHANNEL, ts), { contentType: FORM });
}

beforeAll(async () => {
  tg = await FakeTelegram.start();
  slack = await FakeSlack.start();
  t = await startTestApp(
    {
      ...tg.env(),
      ...slack.env(),
      SUPPORT_HOURS: ALWAYS_OPEN,
      WEB_CHAT: 'false',
      RELAY_RETRY_BASE_MS: '200',
      LOG_LEVEL: process.env.DEBUG_LOG ?? 'silent',
    },
    { listen: true },
  );
  url = t.url!;
});

afterAll(async () => {
  await t?.teardown();
  await tg?.close();
  await slack?.close();
});

describe('escalation from Telegram to the Slack desk and back', () => {
  it('the ticket and the stored session show the question with personal data masked', async () => {
    const question = 'Mans personas kods ir 010190-12345, e-pasts liga.ozola@example.lv — cik ilgi glabājat datus?';
    const { user, post } = await openTicket('lv', [question]);
    const blocks = JSON.stringify(post.blocks);
    expect(blocks).toContain('cik ilgi glabājat datus?');
    expect(blocks).not.toContain('010190-12345');
    expect(blocks).not.toContain('liga.ozola@example.lv');
    const session = JSON.stringify(await t.app.core.readSession(`telegram:${user}`));
    expect(session).toContain('cik ilgi glabājat datus?');
    expect(session).not.toContain('010190-12345');
    expect(session).not.toContain('liga.ozola@example.lv');
  });

  it('a full hand-over: ticket with the conversation, relay both ways, claim, resolve, back to the bot', async () => {
    const question = 'Cik ilgi jūs glabājat manus datus?';
    const { user, id, ts, post } = await openTicket('lv', [question]);

    // The customer is told, in Latvian, with the ticket id.
    expect(textOf(tg.messagesOf(user).at(-1)!)).toBe(tr('lv', 'escalation:opened', { id }));
    // The ticket shows the channel, language, the last turns and the two buttons.
    const blocks = JSON.stringify(post.blocks);
    expect(blocks).toContain('telegram');
    expect(blocks).toContain(question);
    expect(blocks).toContain(t.app.engine.kb.entries.get('retention')!.answer.lv.slice(0, 40));
    const actions = (post.blocks as Payload[]).find((b) => b.type === 'actions')!;
    expect(actions.elements.map((e: Payload) => [e.action_id, e.value])).toEqual([
      ['esc:claim', id],
      ['esc:resolve', id],
    ]);

    // Customer → thread, not answered by the bot; the ack comes only once.
    tg.sendText(user, 'Vai varat izdzēst manu kontu?', { lang: 'lv' });
    const [ack] = await tg.nextMessages(user);
    expect(textOf(ack!)).toBe(tr('lv', 'escalation:relayed'));
    const relayed = await slack.waitForCall(
      'chat.postMessage',
      (p) => p.thread_ts === ts && String(p.text).includes('Vai varat izdzēst manu kontu?'),
    );
    expect(relayed.payload.channel).toBe(SUPPORT_CHANNEL);
    const count = tg.messagesOf(user).length;
    tg.sendText(user, 'Paldies', { lang: 'lv' });
    await slack.waitForCall('chat.postMessage', (p) => p.thread_ts === ts && String(p.text).includes('Paldies'));
    await pause();
    expect(tg.messagesOf(user).length).toBe(count);

    // Claim: the ticket message says who, the customer hears an agent joined; a second claim is refused.
    expect((await press('claim', id, ts)).status).toBe(200);
    const claimed = await slack.waitForCall(
      'chat.update',
      (p) => p.ts === ts && JSON.stringify(p.blocks).includes(tr('lv', 'slack:statusClaimed', { agent: '<@U0AGENT>' })),
    );
    expect(JSON.stringify(claimed.payload.blocks)).not.toContain('esc:claim');
    expect(JSON.stringify(claimed.payload.blocks)).toContain('esc:resolve');
    await received(user, tr('lv', 'escalation:agentJoined'));
    await press('claim', id, ts, 'U0OTHER');
    const refused = await slack.waitForCall('chat.postEphemeral', (p) => p.user === 'U0OTHER');
    expect(refused.payload.text).toBe(tr('lv', 'slack:action.claimed'));

    // Agent → customer, Slack markup turned into plain text; Slack's redelivery of the same event is ignored.
    const reply = eventBody({
      type: 'message',
      channel: SUPPORT_CHANNEL,
      channel_type: 'channel',
      user: 'U0AGENT',
      text: 'Labdien! Skatiet <https://kilowats.lv/privatums|privātuma lapu> &amp; rakstiet.',
      ts: `${Date.now() / 1000}`,
      thread_ts: ts,
    });
    await postSigned(url, reply);
    const relayedReply = tr('lv', 'escalation:agentReply', {
      text: 'Labdien! Skatiet privātuma lapu (https://kilowats.lv/privatums) & rakstiet.',
    });
    await received(user, relayedReply);
    expect((await postSigned(url, reply)).status).toBe(200);
    await pause();
    expect(tg.messagesOf(user).filter((m) => textOf(m) === relayedReply)).toHaveLength(1);

    // The bot's own thread messages are not echoed back.
    const seen = tg.messagesOf(user).length;
    await postSigned(
      url,
      eventBody({
        type: 'message',
        subtype: 'bot_message',
        bot_id: 'B0THUNDER',
        channel: SUPPORT_CHANNEL,
        text: 'echo',
        ts: `${Date.now() / 1000}`,
        thread_ts: ts,
      }),
    );
    await postSigned(
      url,
      eventBody({
        type: 'message',
        bot_id: 'B0THUNDER',
        user: 'U0THUNDER',
        channel: SUPPORT_CHANNEL,
        text: '*Klients:* echo',
        ts: `${Date.now() / 1000}`,
        thread_ts: ts,
      }),
    );
    await pause();
    expect(tg.messagesOf(user).length).toBe(seen);
    // Asking the bot in the thread is for staff only: answered there, not sent to the customer.
    await postSigned(
      url,
      eventBody({
        type: 'message',
        channel: SUPPORT_CHANNEL,
        user: 'U0AGENT',
        text: '<@U0THUNDER> cik ilgi glabājam datus?',
        ts: '1764000999.000001',
        thread_ts: ts,
      }),
    );
    await postSigned(
      url,
      eventBody({
        type: 'app_mention',
        channel: SUPPORT_CHANNEL,
        user: 'U0AGENT',
        text: '<@U0THUNDER> cik ilgi glabājam datus?',
        ts: '1764000999.000001',
        thread_ts: ts,
      }),
    );
    const staffAnswer = await slack.waitForCall(
      'chat.postMessage',
      (p) => p.thread_ts === ts && Array.isArray(p.blocks) && JSON.stringify(p.blocks).includes(tr('lv', 'slack:policyQuote')),
    );
    expect(staffAnswer.payload.text).toBe(t.app.engine.kb.entries.get('retention')!.answer.lv);
    await pause();
    expect(tg.messagesOf(user).length).toBe(seen);
    // "Also send to channel" replies are relayed too.
    await postSigned(
      url,
      eventBody({
        type: 'message',
        subtype: 'thread_broadcast',
        channel: SUPPORT_CHANNEL,
        user: 'U0AGENT',
        text: 'Pārbaudu.',
        ts: `${Date.now() / 1000}`,
        thread_ts: ts,
      }),
    );
    await received(user, tr('lv', 'escalation:agentReply', { text: 'Pārbaudu.' }));

    // Resolve: buttons gone, the customer is handed back to the bot in Latvian.
    await press('resolve', id, ts);
    const resolved = await slack.waitForCall(
      'chat.update',
      (p) => p.ts === ts && JSON.stringify(p.blocks).includes(tr('lv', 'slack:statusResolved', { agent: '<@U0AGENT>' })),
    );
    expect((resolved.payload.blocks as Payload[]).some((b) => b.type === 'actions')).toBe(false);
    await received(user, tr('lv', 'escalation:resolved'));

    const threadBefore = threadPosts(ts).length;
    tg.sendText(user, 'Kas ir pārzinis?', { lang: 'lv' });
    const [answer] = await tg.nextMessages(user);
    expect(textOf(answer!)).toContain(t.app.engine.kb.entries.get('controller')!.answer.lv);
    // A late reply in the closed thread no longer reaches the customer.
    const after = tg.messagesOf(user).length;
    await agentSays(ts, 'Vēl kas?');
    await pause();
    expect(tg.messagesOf(user).length).toBe(after);
    expect(threadPosts(ts).length).toBe(threadBefore);
  });

  it('with a desk at work, one offer of a person per unanswered question, asked outright after two; the button opens a ticket', async () => {
    const user = nextUser++;
    const human = { text: tr('lv', 'conversation:askHuman'), callback_data: 'cmd:human' };
    tg.sendText(user, 'Kāda būs laika prognoze rīt Ventspilī?', { lang: 'lv' });
    const first = await tg.nextMessages(user);
    expect(first).toHaveLength(1);
    expect(textOf(first[0]!)).toBe(tr('lv', 'conversation:noAnswerOffer'));
    expect(buttonsOf(first[0]!).filter((b) => b.callback_data === 'cmd:human')).toEqual([human]);
    tg.sendText(user, 'Cik maksā elektrība pa nakti?', { lang: 'lv' });
    const [offer] = await tg.nextMessages(user);
    await pause(200);
    expect(tg.messagesOf(user)).toHaveLength(2);
    expect(textOf(offer!)).toBe(tr('lv', 'conversation:noAnswerAgain'));
    expect(buttonsOf(offer!).filter((b) => b.callback_data === 'cmd:human')).toEqual([human]);

    const posted = ticketPosts().length;
    tg.pressButton(user, 'cmd:human', { messageId: offer!.message_id });
    const [opened] = await tg.nextMessages(user);
    expect(textOf(opened!)).toMatch(/T-[A-Z0-9]{6}/);
    await slack.waitForCall('chat.postMessage', (p) => JSON.stringify(p.blocks ?? '').includes(/T-[A-Z0-9]{6}/.exec(textOf(opened!))![0]));
    expect(ticketPosts().length).toBe(posted + 1);
  });

  it('the first agent reply claims an unclaimed ticket: the customer hears who joined, then the reply', async () => {
    const { user, ts } = await openTicket('en');
    await agentSays(ts, 'Hello, I am looking into it.', 'U0FIRST');
    await slack.waitForCall(
      'chat.update',
      (p) => p.ts === ts && JSON.stringify(p.blocks).includes(tr('lv', 'slack:statusClaimed', { agent: '<@U0FIRST>' })),
    );
    await received(user, tr('en', 'escalation:agentReply', { text: 'Hello, I am looking into it.' }));
    expect(tg.messagesOf(user).slice(-2).map(textOf)).toEqual([
      tr('en', 'escalation:agentJoined'),
      tr('en', 'escalation:agentReply', { text: 'Hello, I am looking into it.' }),
    ]);
  });

  it('/human again while connected says so instead of opening a second ticket; stickers are not relayed as text', async () => {
    const { user, id, ts } = await openTicket('en');
    tg.sendCommand(user, '/human', { lang: 'en' });
    expect(textOf((await tg.nextMessages(user))[0]!)).toBe(tr('en', 'escalation:alreadyOpen', { id }));
    tg.sendSticker(user, { lang: 'en' });
    expect(textOf((await tg.nextMessages(user))[0]!)).toBe(tr('en', 'escalation:textOnly'));
    await slack.waitForCall('chat.postMessage', (p) => p.thread_ts === ts && String(p.text).includes('sticker'));
    expect(ticketPosts().filter((c) => JSON.stringify(c.payload.blocks).includes(id)).length).toBe(1);
  });

  it('/forget closes the ticket, erases the conversation from the Slack message, deletes the relayed posts and stops the relay', async () => {
    const secret = 'Mans tālrunis ir 29123456';
    const { user, id, ts } = await openTicket('lv', [secret]);
    tg.sendText(user, 'Mani sauc Līga Kalniņa, lūdzu piezvaniet', { lang: 'lv' });
    await tg.nextMessages(user);
    const relayed = await slack.waitForCall('chat.postMessage', (p) => p.thread_ts === ts && String(p.text).includes('Līga Kalniņa'));
    await until(async () => (await t.app.escalation.tickets.get(id))?.posts.includes(relayed.result!.ts));
    tg.sendCommand(user, '/forget', { lang: 'lv' });
    const [confirm] = await tg.nextMessages(user);
    tg.pressButton(user, 'forget:yes', { messageId: confirm!.message_id });
    await tg.nextMessages(user);
    const update = await slack.waitForCall(
      'chat.update',
      (p) => p.ts === ts && JSON.stringify(p.blocks).includes(tr('lv', 'slack:erased')),
    );
    expect(JSON.stringify(update.payload.blocks)).not.toContain(secret);
    // The bot's post of the customer's words is deleted from the thread before the note says so.
    const deleted = await slack.waitForCall('chat.delete', (p) => p.ts === relayed.result!.ts);
    expect(deleted.payload.channel).toBe(SUPPORT_CHANNEL);
    const note = await slack.waitForCall('chat.postMessage', (p) => p.thread_ts === ts && p.text === tr('lv', 'slack:noteForgotten'));
    expect(note.at).toBeGreaterThanOrEqual(deleted.at);
    const ticket = await t.app.escalation.tickets.get(id);
    expect(ticket).toMatchObject({ status: 'resolved', erased: true, turns: [], posts: [], key: '', chatId: '' });

    const count = tg.messagesOf(user).length;
    await agentSays(ts, 'Vai vēl esat šeit?');
    await pause();
    expect(tg.messagesOf(user).length).toBe(count);
  });

  it('/forget where Slack refuses to delete a relayed post tells staff truthfully to delete it by hand', async () => {
    const { user, id, ts } = await openTicket('lv');
    tg.sendText(user, 'Mans tālrunis ir 26111222', { lang: 'lv' });
    await tg.nextMessages(user);
    await until(async () => (await t.app.escalation.tickets.get(id))?.posts.length === 1 || undefined);
    slack.failNext(1, { status: 200, error: 'cant_delete_message', method: 'chat.delete' });
    tg.sendCommand(user, '/forget', { lang: 'lv' });
    const [confirm] = await tg.nextMessages(user);
    tg.pressButton(user, 'forget:yes', { messageId: confirm!.message_id });
    await tg.nextMessages(user);
    await slack.waitForCall('chat.postMessage', (p) => p.thread_ts === ts && p.text === tr('lv', 'slack:noteForgottenKept', { count: 1 }));
  });

  it("during a hand-off the bot's commands and buttons keep working, the language switch reaches the agent's replies, and /leave ends it", async () => {
    const { user, id, ts } = await openTicket('lv');
    const inThread = () => threadPosts(ts).map((c) => String(c.payload.text));
    const opened = tg.messagesOf(user).at(-1)!;
    expect(buttonsOf(opened).map((b) => b.callback_data)).toEqual(['cmd:leave']);

    tg.sendCommand(user, '/status', { lang: 'lv' });
    expect(textOf((await tg.nextMessages(user))[0]!)).toContain(tr('lv', 'requests:statusNone'));
    tg.sendCommand(user, '/help', { lang: 'lv' });
    expect(textOf((await tg.nextMessages(user))[0]!)).toBe(htmlText(tr('lv', 'conversation:help')));
    tg.sendCommand(user, '/topics', { lang: 'lv' });
    expect(textOf((await tg.nextMessages(user))[0]!)).toBe(tr('lv', 'conversation:topicsPrompt'));
    tg.sendCommand(user, '/language', { lang: 'lv' });
    const [prompt] = await tg.nextMessages(user);
    tg.pressButton(user, 'lang:en', { messageId: prompt!.message_id });
    expect(textOf((await tg.nextMessages(user))[0]!)).toBe(tr('en', 'conversation:languageSet'));
    // A button that would start something else says why it waits, with the way out.
    tg.pressButton(user, 'rq:start', { messageId: prompt!.message_id });
    const [paused] = await tg.nextMessages(user);
    expect(textOf(paused!)).toBe(tr('en', 'escalation:withAgent'));
    expect(buttonsOf(paused!).map((b) => b.callback_data)).toEqual(['cmd:leave']);
    // None of it went to the agent; the agent's reply comes in the language chosen meanwhile.
    expect(inThread().some((text) => /status|help|topics|language/.test(text))).toBe(false);
    await agentSays(ts, 'Hello!');
    await received(user, tr('en', 'escalation:agentReply', { text: 'Hello!' }));

    tg.pressButton(user, 'cmd:leave', { messageId: opened.message_id });
    expect(textOf((await tg.nextMessages(user))[0]!)).toBe(tr('en', 'escalation:left'));
    expect(await t.app.escalation.tickets.get(id)).toMatchObject({ status: 'resolved', left: true });
    await slack.waitForCall('chat.update', (p) => p.ts === ts && JSON.stringify(p.blocks).includes(tr('lv', 'slack:statusLeft')));
    await slack.waitForCall('chat.postMessage', (p) => p.thread_ts === ts && p.text === tr('lv', 'slack:noteLeft'));
    // The bot answers again, and /leave without a hand-off says so.
    tg.sendText(user, 'Who is the data controller?', { lang: 'en' });
    expect(textOf((await tg.nextMessages(user))[0]!)).toContain(t.app.engine.kb.entries.get('controller')!.answer.en);
    tg.sendCommand(user, '/leave', { lang: 'en' });
    expect(textOf((await tg.nextMessages(user))[0]!)).toBe(tr('en', 'escalation:notConnected'));
  });

  it('relay survives Slack being down (connection refused, then 500s): delivered once, in order', async () => {
    const { user, ts } = await openTicket('lv');
    await slack.down();
    tg.sendText(user, 'Pirmā ziņa, kamēr Slack nav pieejams', { lang: 'lv' });
    expect(textOf((await tg.nextMessages(user))[0]!)).toBe(tr('lv', 'escalation:relayed'));
    tg.sendText(user, 'Otrā ziņa', { lang: 'lv' });
    await pause(500);
    await slack.up();
    slack.failNext(1, { status: 500, method: 'chat.postMessage' });
    const first = await slack.waitForCall(
      'chat.postMessage',
      (p) => p.thread_ts === ts && String(p.text).includes('Pirmā ziņa') && !!p.text,
      8000,
    );
    await slack.waitForCall('chat.postMessage', (p) => p.thread_ts === ts && String(p.text).includes('Otrā ziņa'), 8000);
    await pause(800);
    const delivered = (needle: string) =>
      slack.calls.filter(
        (c) => c.method === 'chat.postMessage' && c.payload.thread_ts === ts && String(c.payload.text).includes(needle) && c.result,
      );
    expect(delivered('Pirmā ziņa').length).toBe(1);
    expect(delivered('Otrā ziņa').length).toBe(1);
    expect(delivered('Pirmā ziņa')[0]!.at).toBeLessThanOrEqual(delivered('Otrā ziņa')[0]!.at);
    expect(first).toBeDefined();
    expect(await t.app.escalation.relay.pending()).toBe(0);
  });

  it('a Telegram failure on the way back still delivers every relayed message exactly once, in order', async () => {
    const { user, ts } = await openTicket('lv');
    tg.failNext(1, { status: 500, method: 'sendMessage' });
    await agentSays(ts, 'Atbilde pēc traucējuma');
    const reply = tr('lv', 'escalation:agentReply', { text: 'Atbilde pēc traucējuma' });
    await received(user, reply, 8000);
    await pause(500);
    // The first reply also claims the ticket: "agent joined" comes first, and its failed send was repeated.
    expect(tg.messagesOf(user).slice(1).map(textOf)).toEqual([tr('lv', 'escalation:agentJoined'), reply]);
    const sends = tg
      .callsOf('sendMessage')
      .filter((c) => String(c.payload.chat_id) === String(user))
      .map((c) => htmlText(String(c.payload.text)));
    expect(sends.slice(1)).toEqual([tr('lv', 'escalation:agentJoined'), tr('lv', 'escalation:agentJoined'), reply]);
  });
});
