import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GapInput, GapSink } from '../../src/learning/types.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { FakeTelegram, type SentMessage } from '../helpers/fake-telegram.js';
import { htmlText, tr } from '../helpers/locales.js';
import { sqliteRowsWith } from '../helpers/store.js';
import { until } from '../helpers/wait.js';
import { metric, metrics } from './metrics.js';

type InlineButton = { text: string; callback_data: string };
const keyboard = (m: SentMessage): InlineButton[][] => m.reply_markup?.inline_keyboard ?? [];
const dataOf = (m: SentMessage): string[] =>
  keyboard(m)
    .flat()
    .map((b) => b.callback_data);
const rating = (m: SentMessage, vote: 'up' | 'down'): string => {
  const data = dataOf(m).find((d) => d.startsWith(`fb:${vote}:`));
  if (!data) throw new Error(`no ${vote} button in ${JSON.stringify(dataOf(m))}`);
  return data;
};

let fake: FakeTelegram;
let t: TestApp;
const gaps: GapInput[] = [];
const sink: GapSink = { capture: async (gap) => void gaps.push(gap), forget: async () => {} };
let nextUser = 4100;

beforeAll(async () => {
  fake = await FakeTelegram.start();
  t = await startTestApp(fake.env(), { listen: true, gaps: sink });
});

afterAll(async () => {
  await t?.teardown();
  await fake?.close();
});

describe('answer feedback on Telegram (real grammY, fake Bot API)', () => {
  it('puts 👍/👎 in one row under an answer; a press is thanked and counted once by entry', async () => {
    const u = nextUser++;
    fake.sendText(u, 'Cik ilgi jūs glabājat manus personas datus?', { lang: 'lv' });
    const [answer] = await fake.nextMessages(u);
    const row = keyboard(answer!).at(-1)!;
    expect(row.map((b) => b.text)).toEqual([tr('lv', 'feedback:up'), tr('lv', 'feedback:down')]);
    const up = rating(answer!, 'up');
    const before = metric(await metrics(t), 'thunder_answer_feedback_total{entry="retention",vote="up",channel="telegram"}');

    fake.pressButton(u, up);
    const [thanks] = await fake.nextMessages(u);
    expect(htmlText(thanks!.text)).toBe(tr('lv', 'feedback:thanksUp'));
    // The press is answered (the spinner stops) like every other button.
    await fake.waitForCall('answerCallbackQuery', () => true);

    fake.pressButton(u, up, { messageId: answer!.message_id });
    const [again] = await fake.nextMessages(u);
    expect(htmlText(again!.text)).toBe(tr('lv', 'feedback:already'));
    const after = metric(await metrics(t), 'thunder_answer_feedback_total{entry="retention",vote="up",channel="telegram"}');
    expect(after - (Number.isNaN(before) ? 0 : before)).toBe(1);
    expect(gaps).toEqual([]);
  });

  it('a 👎 reaches the gap sink with the question from the session, never from the button', async () => {
    const u = nextUser++;
    const question = 'Who is the controller of my personal data?';
    fake.sendText(u, question, { lang: 'en' });
    const [answer] = await fake.nextMessages(u);
    const down = rating(answer!, 'down');
    expect(down).not.toContain('controller');

    fake.pressButton(u, down);
    const [thanks] = await fake.nextMessages(u);
    // Not a dead end: other questions it may have meant (never the rated one), the topics.
    expect(htmlText(thanks!.text).startsWith(`${tr('en', 'feedback:thanksDown')}\n\n`)).toBe(true);
    const next = (thanks!.reply_markup?.inline_keyboard ?? []).flat().map((b: { callback_data?: string }) => b.callback_data);
    expect(next).toContain('cmd:topics');
    expect(next).not.toContain('a:controller');
    const gap = await until(() => gaps.find((g) => g.text === question));
    expect(gap).toMatchObject({ reason: 'thumbs_down', lang: 'en', channel: 'telegram' });
    expect(gap.candidates[0]?.id).toBe('controller');
    expect(gap.candidates.every((c) => t.app.engine.kb.entries.has(c.id) && c.p > 0 && c.p <= 1)).toBe(true);
    expect(metric(await metrics(t), 'thunder_answer_feedback_total{entry="controller",vote="down",channel="telegram"}')).toBe(1);
  });

  it('forged, foreign and malformed payloads get a clear answer and count nothing', async () => {
    const owner = nextUser++;
    const other = nextUser++;
    fake.sendText(owner, 'How long do you keep my data?', { lang: 'en' });
    const [answer] = await fake.nextMessages(owner);
    const before = await metrics(t);

    // Another user pressing (or forging) the owner's button: not in their session.
    fake.pressButton(other, rating(answer!, 'down'), { lang: 'en' });
    expect(htmlText((await fake.nextMessages(other))[0]!.text)).toBe(tr('en', 'feedback:stale'));
    for (const data of ['fb:up:AAAAAAAA', 'fb:meh:AAAAAAAA', 'fb:up', 'fb:up:retention:x', 'fb:']) {
      fake.pressButton(owner, data, { lang: 'en' });
      const [reply] = await fake.nextMessages(owner);
      expect(htmlText(reply!.text)).toBe(tr('en', data === 'fb:up:AAAAAAAA' ? 'feedback:stale' : 'feedback:invalid'));
    }
    const after = await metrics(t);
    const series = (m: string) => m.split('\n').filter((l) => l.startsWith('thunder_answer_feedback_total{'));
    expect(series(after)).toEqual(series(before));
  });

  it('/forget erases the rated answers with the session: their buttons no longer count', async () => {
    const u = nextUser++;
    fake.sendText(u, 'Can I have my personal data erased?', { lang: 'en' });
    const [answer] = await fake.nextMessages(u);
    expect((await t.app.core.readSession(`telegram:${u}`))?.rated.map((r) => r.q)).toEqual(['Can I have my personal data erased?']);
    fake.pressButton(u, 'forget:yes');
    await fake.nextMessages(u);
    expect(await t.app.core.sessions.get(`telegram:${u}`)).toBeUndefined();
    fake.pressButton(u, rating(answer!, 'down'), { messageId: answer!.message_id, lang: 'en' });
    expect(htmlText((await fake.nextMessages(u))[0]!.text)).toBe(tr('en', 'feedback:stale'));
    expect(gaps.some((g) => g.text.includes('erased'))).toBe(false);
    // The question was kept only in the session: nothing in the store holds it after /forget.
    expect(await sqliteRowsWith(t.dataDir, 'my personal data erased')).toEqual([]);
  });
});
