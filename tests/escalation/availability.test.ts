import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Incoming } from '../../src/core/types.js';
import { REDIS_URL, startTestApp, uniquePrefix, type TestApp } from '../helpers/app.js';
import { FakeSlack, SUPPORT_CHANNEL, type Payload } from '../helpers/fake-slack.js';
import { FakeTelegram } from '../helpers/fake-telegram.js';
import { htmlText, tr } from '../helpers/locales.js';
import { until } from '../helpers/wait.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function fakes(): Promise<{ tg: FakeTelegram; slack: FakeSlack }> {
  const tg = await FakeTelegram.start();
  const slack = await FakeSlack.start();
  cleanup.push(
    () => tg.close(),
    () => slack.close(),
  );
  return { tg, slack };
}

async function app(env: Record<string, string>, opts: Parameters<typeof startTestApp>[1] = {}): Promise<TestApp> {
  const t = await startTestApp({ WEB_CHAT: 'false', ...env }, opts);
  cleanup.push(() => t.teardown());
  return t;
}

describe('when no person can answer right now', () => {
  it('outside support hours one message says when a person reads it; meanwhile the bot answers policy questions and commands', async () => {
    const { tg, slack } = await fakes();
    // Open only 10:00-11:00 UTC on the weekday two days from now: closed today whatever the time.
    const opening = new Date(Date.now() + 2 * 24 * 60 * 60 * 1000);
    opening.setUTCHours(10, 0, 0, 0);
    const weekday = ((opening.getUTCDay() + 6) % 7) + 1;
    const t = await app({ ...tg.env(), ...slack.env(), SUPPORT_HOURS: `${weekday}-${weekday} 10:00-11:00`, SUPPORT_TIMEZONE: 'UTC' });
    tg.sendCommand(701, '/human', { lang: 'en' });
    const [opened] = await tg.nextMessages(701);
    const id = /T-[A-Z0-9]{6}/.exec(htmlText(opened!.text))![0];
    const when = t.app.escalation.formatWhen(opening.getTime(), 'en');
    expect(when).toContain(String(opening.getUTCDate()));
    expect(htmlText(opened!.text)).toBe(tr('en', 'escalation:openedOffHours', { id, when }));
    expect((opened!.reply_markup?.inline_keyboard ?? []).flat().map((b: { callback_data?: string }) => b.callback_data)).toEqual([
      'cmd:topics',
      'cmd:leave',
    ]);
    await until(() => tg.messagesOf(701).length === 1 || undefined);
    // A question the policy answers: passed on (said once, with the time) and answered at once.
    tg.sendText(701, 'How long do you keep my personal data?', { lang: 'en' });
    const [ack, answer] = await tg.nextMessages(701, 2);
    expect(htmlText(ack!.text)).toBe(tr('en', 'escalation:relayedOffHours', { when }));
    expect(htmlText(answer!.text)).toContain(t.app.engine.kb.entries.get('retention')!.answer.en.slice(0, 40));
    await slack.waitForCall('chat.postMessage', (p) => String(p.text).includes('How long do you keep my personal data?'));
    // Something for the person only: passed on silently this time (acknowledged minutes ago).
    tg.sendText(701, 'Please call me back tomorrow', { lang: 'en' });
    await slack.waitForCall('chat.postMessage', (p) => String(p.text).includes('Please call me back tomorrow'));
    tg.sendCommand(701, '/status', { lang: 'en' });
    const [status] = await tg.nextMessages(701);
    expect(htmlText(status!.text)).toContain(tr('en', 'requests:statusNone'));
    expect(tg.messagesOf(701)).toHaveLength(4);
    // Staff see the promise made to the customer on the ticket.
    const post = await slack.waitForCall('chat.postMessage', (p) => p.channel === SUPPORT_CHANNEL);
    const fields = JSON.stringify((post.payload.blocks as Payload[])[1]);
    expect(fields).toContain(tr('lv', 'slack:fieldPromised'));
    expect(fields).toContain(t.app.escalation.formatTime(opening.getTime(), 'lv'));
  });

  it('outside support hours, with a desk, a miss offers no person but the contacts', async () => {
    const { slack } = await fakes();
    const opening = new Date(Date.now() + 2 * 24 * 60 * 60 * 1000);
    const weekday = ((opening.getUTCDay() + 6) % 7) + 1;
    const t = await app({ ...slack.env(), SUPPORT_HOURS: `${weekday}-${weekday} 10:00-11:00`, SUPPORT_TIMEZONE: 'UTC' });
    const msg = (text: string) => ({ channel: 'web' as const, userId: 'off', chatId: 'off', text, locale: 'lv' });
    for (const text of ['Kāda būs laika prognoze rīt Ventspilī?', 'Cik maksā elektrība pa nakti?']) {
      const replies = await t.app.core.handle(msg(text));
      expect(replies.flatMap((r) => r.buttons?.flat() ?? []).map((b) => b.data)).not.toContain('cmd:human');
      expect(replies.map((r) => r.text).join('\n')).toContain(tr('lv', 'escalation:contacts', { ...t.app.escalation.contacts }));
    }
  });

  it('without Slack, /human says so plainly and gives the company contacts from the policy', async () => {
    const { tg, slack } = await fakes();
    const t = await app(tg.env());
    tg.sendCommand(702, '/human', { lang: 'lv' });
    const [no] = await tg.nextMessages(702);
    const contacts = t.app.escalation.contacts;
    expect(htmlText(no!.text)).toBe(`${tr('lv', 'escalation:unavailable')} ${tr('lv', 'escalation:contacts', { ...contacts })}`);
    expect(htmlText(no!.text)).toContain('info@kilowats.lv');
    expect(htmlText(no!.text)).toContain('+371 29736211');
    expect(no!.reply_markup).toBeUndefined();
    expect(slack.calls).toEqual([]);
    expect(t.app.channels.join(' ')).not.toMatch(/slack/);
  });
});

describe('a support channel that refuses tickets', () => {
  it('hands the customer back to the bot with the contacts instead of leaving them waiting', async () => {
    const { tg, slack } = await fakes();
    const t = await app({ ...tg.env(), ...slack.env(), SUPPORT_HOURS: '1-7 00:00-24:00' });
    slack.failNext(1, { status: 200, error: 'not_in_channel', method: 'chat.postMessage' });
    tg.sendCommand(703, '/human', { lang: 'en' });
    await tg.nextMessages(703);
    const [sorry] = await tg.nextMessages(703);
    const contacts = t.app.escalation.contacts;
    expect(htmlText(sorry!.text)).toBe(`${tr('en', 'escalation:undeliverable')} ${tr('en', 'escalation:contacts', { ...contacts })}`);
    expect(slack.callsOf('chat.postMessage')).toHaveLength(1);
    // Back to the bot: the next question is answered, not relayed.
    tg.sendText(703, 'How long do you keep my data?', { lang: 'en' });
    const [answer] = await tg.nextMessages(703);
    expect(htmlText(answer!.text)).toContain(t.app.engine.kb.entries.get('retention')!.answer.en);
    expect(slack.callsOf('chat.postMessage')).toHaveLength(1);
  });
});

describe('relay durability', () => {
  it('a message queued while Slack is down is delivered once after a restart', async () => {
    const { slack } = await fakes();
    const dataDir = mkdtempSync(join(tmpdir(), 'thunder-relay-'));
    cleanup.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    const storePrefix = uniquePrefix('relay');
    const env = { ...slack.env(), SUPPORT_HOURS: '1-7 00:00-24:00', RELAY_RETRY_BASE_MS: '200' };
    const msg = (text: string): Incoming => ({ channel: 'web', userId: 'w1', chatId: 'w1', text });

    const first = await startTestApp({ WEB_CHAT: 'false', ...env }, { dataDir, storePrefix });
    const [opened] = await first.app.core.handle(msg('/human'));
    const id = /T-[A-Z0-9]{6}/.exec(opened!.text)![0];
    const post = await slack.waitForCall('chat.postMessage', (p) => JSON.stringify(p.blocks ?? '').includes(id));
    const tickets = first.app.escalation.tickets;
    await until(async () => (await tickets.get(id))?.desk);

    await slack.down();
    await first.app.core.handle(msg('Vai mani dati tiek nodoti trešajām personām?'));
    await new Promise((r) => setTimeout(r, 300));
    expect(await first.app.escalation.relay.pending()).toBe(1);
    await first.teardown();

    await slack.up();
    const second = await startTestApp({ WEB_CHAT: 'false', ...env }, { dataDir, storePrefix });
    cleanup.push(() => second.teardown());
    const thread = post.result!.ts as string;
    await slack.waitForCall('chat.postMessage', (p) => p.thread_ts === thread && String(p.text).includes('trešajām personām'));
    await new Promise((r) => setTimeout(r, 600));
    expect(slack.callsOf('chat.postMessage', (p) => String(p.text).includes('trešajām personām')).length).toBe(1);
    expect(await second.app.escalation.relay.pending()).toBe(0);
  });
});

describe('several instances on one Redis', () => {
  it('two agents claiming the same ticket on different instances: exactly one wins', async () => {
    const { slack } = await fakes();
    const storePrefix = uniquePrefix('claim');
    const env = { ...slack.env(), SUPPORT_HOURS: '1-7 00:00-24:00', REDIS_URL };
    const a = await app(env, { storePrefix });
    const b = await app(env, { storePrefix });
    const [opened] = await a.app.core.handle({ channel: 'web', userId: 'w9', chatId: 'w9', text: '/human' });
    const id = /T-[A-Z0-9]{6}/.exec(opened!.text)![0];
    for (let round = 0; round < 5; round++) {
      const results = await Promise.all([a.app.escalation.act(id, 'claim', `UA${round}`), b.app.escalation.act(id, 'claim', `UB${round}`)]);
      expect(results.filter((r) => r.ok).length).toBe(round === 0 ? 1 : 0);
    }
    const ticket = await b.app.escalation.tickets.get(id);
    expect(ticket?.status).toBe('claimed');
    expect(['UA0', 'UB0']).toContain(ticket?.claimedBy);
  });
});
