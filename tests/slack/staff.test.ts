import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeMarkup as esc } from '../../src/core/markup.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { BOT_USER_ID, commandBody, eventBody, FakeSlack, postSigned, type Payload } from '../helpers/fake-slack.js';
import { tr } from '../helpers/locales.js';

let slack: FakeSlack;
let t: TestApp;
let url: string;

const allText = (blocks: Payload[]): string => JSON.stringify(blocks);

beforeAll(async () => {
  slack = await FakeSlack.start();
  t = await startTestApp({ ...slack.env(), WEB_CHAT: 'false' }, { listen: true });
  url = t.url!;
});

afterAll(async () => {
  await t?.teardown();
  await slack?.close();
});

describe('Slack staff assistant (real Bolt, fake Web API, signed requests)', () => {
  it('turns the channel on in HTTP mode and makes no Web API call at start-up', () => {
    expect(t.app.channels.join(' ')).toMatch(/slack/);
    expect(slack.calls).toEqual([]);
  });

  it('answers the url_verification challenge', async () => {
    const res = await postSigned(url, JSON.stringify({ type: 'url_verification', token: 'x', challenge: 'ch-123' }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ challenge: 'ch-123' });
  });

  it('answers a Latvian DM question with the policy quote and the section', async () => {
    const question = 'Kādus personas datus jūs par mani vācat?';
    const res = await postSigned(
      url,
      eventBody({ type: 'message', channel_type: 'im', channel: 'D0STAFF', user: 'U0STAFF', text: question, ts: '1764000100.000100' }),
    );
    expect(res.status).toBe(200);
    const call = await slack.waitForCall('chat.postMessage', (p) => p.channel === 'D0STAFF');
    const expected = t.app.engine.ask(question, 'lv');
    expect(expected.entry).not.toBeNull();
    const entry = expected.entry!;
    // A question about which data are collected is answered from the categories section.
    expect(entry.section.id).toBe('categories');
    const blocks = call.payload.blocks as Payload[];
    expect(call.payload.text).toBe(entry.answer.lv);
    expect(allText(blocks)).toContain(JSON.stringify(esc(entry.answer.lv)).slice(1, -1));
    for (const quote of entry.source) expect(allText(blocks)).toContain(JSON.stringify(`> ${esc(quote)}`).slice(1, -1));
    expect(allText(blocks)).toContain(tr('lv', 'slack:policyQuote'));
    expect(allText(blocks)).toContain(entry.section.title.lv);
    // The bot token authenticates the call; auth.test ran once, lazily.
    expect(call.token).toBe(slack.env().SLACK_BOT_TOKEN);
    expect(slack.callsOf('auth.test').length).toBe(1);
  });

  it('answers an English @mention in its thread, in English', async () => {
    const ts = '1764000200.000200';
    await postSigned(
      url,
      eventBody({
        type: 'app_mention',
        channel: 'C0GENERAL',
        user: 'U0STAFF',
        text: `<@${BOT_USER_ID}> how long do you keep personal data?`,
        ts,
      }),
    );
    const call = await slack.waitForCall('chat.postMessage', (p) => p.channel === 'C0GENERAL');
    expect(call.payload.thread_ts).toBe(ts);
    const entry = t.app.engine.kb.entries.get('retention')!;
    expect(call.payload.text).toBe(entry.answer.en);
    expect(allText(call.payload.blocks)).toContain(tr('en', 'slack:policyQuote'));
  });

  it('/privacy <question> answers in the ack itself, ephemeral, with the quote', async () => {
    const before = slack.calls.length;
    const res = await postSigned(url, commandBody('/privacy', 'kādi dati tiek vākti'), {
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Payload;
    expect(body.response_type).toBe('ephemeral');
    const entry = t.app.engine.ask('kādi dati tiek vākti', 'lv').entry!;
    expect(entry.section.id).toBe('categories');
    for (const quote of entry.source) expect(allText(body.blocks)).toContain(JSON.stringify(`> ${esc(quote)}`).slice(1, -1));
    expect(slack.calls.slice(before).filter((c) => c.method.startsWith('chat.'))).toEqual([]);
  });

  it('/privacy without a question shows the help; an off-policy question is not made up', async () => {
    const help = (await (
      await postSigned(url, commandBody('/privacy', ''), { contentType: 'application/x-www-form-urlencoded' })
    ).json()) as Payload;
    expect(help.text).toBe(tr('lv', 'slack:help'));
    const res = await postSigned(url, commandBody('/privacy', 'what is the weather in Tokyo tomorrow'), {
      contentType: 'application/x-www-form-urlencoded',
    });
    const body = (await res.json()) as Payload;
    expect(body.text).toBe(tr('en', 'slack:noAnswer'));
    expect(allText(body.blocks)).not.toContain('> ');
  });

  it('ignores its own messages and message edits in a DM', async () => {
    const before = slack.callsOf('chat.postMessage').length;
    await postSigned(
      url,
      eventBody({
        type: 'message',
        subtype: 'bot_message',
        bot_id: 'B0THUNDER',
        channel_type: 'im',
        channel: 'D0STAFF',
        text: 'echo',
        ts: '1764000300.000300',
      }),
    );
    await postSigned(
      url,
      eventBody({
        type: 'message',
        subtype: 'message_changed',
        channel_type: 'im',
        channel: 'D0STAFF',
        ts: '1764000301.000300',
        message: { text: 'edited' },
      }),
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(slack.callsOf('chat.postMessage').length).toBe(before);
  });
});
