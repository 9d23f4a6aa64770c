import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GapInput, GapSink } from '../../src/learning/types.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { tr } from '../helpers/locales.js';
import { ChatClient, type WebReply } from '../web/chat-client.js';
import { metric, metrics } from './metrics.js';

let t: TestApp;
let chat: ChatClient;
const gaps: GapInput[] = [];
const sink: GapSink = { capture: async (gap) => void gaps.push(gap), forget: async () => {} };

const rating = (replies: WebReply[], icon: 'up' | 'down') => replies.flatMap((r) => r.buttons?.flat() ?? []).find((b) => b.icon === icon);

beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT_PER_MINUTE: '1000' }, { listen: true, gaps: sink });
  chat = new ChatClient(t.url!);
});
afterAll(() => t?.teardown());

describe('answer feedback in the web chat API', () => {
  it('offers the rating as icon buttons on the answer only, and counts a press once', async () => {
    const s = await chat.session('lv');
    const greeting = await chat.say(s, { button: 'cmd:start' });
    expect(rating(greeting, 'up')).toBeUndefined();
    const answer = await chat.say(s, { text: 'Cik ilgi jūs glabājat manus personas datus?' });
    const up = rating(answer, 'up')!;
    expect(up).toMatchObject({ label: tr('lv', 'feedback:up'), icon: 'up' });
    expect(rating(answer, 'down')).toMatchObject({ icon: 'down' });

    const [a, b] = await Promise.all([chat.say(s, { button: up.data }), chat.say(s, { button: up.data })]);
    expect([a[0]!.text, b[0]!.text].sort()).toEqual([tr('lv', 'feedback:already'), tr('lv', 'feedback:thanksUp')].sort());
    expect(metric(await metrics(t), 'thunder_answer_feedback_total{entry="retention",vote="up",channel="web"}')).toBe(1);
  });

  it('a 👎 on an answer opened by a button is counted, but no gap without a typed question', async () => {
    const s = await chat.session('en');
    const opened = await chat.say(s, { button: 'a:controller' });
    expect(opened[0]!.text).toBe(t.app.engine.kb.entries.get('controller')!.answer.en);
    const [thanks] = await chat.say(s, { button: rating(opened, 'down')!.data });
    // Next steps: ask again, the topics, and (no desk here) where to write to a person.
    const contacts = tr('en', 'escalation:contacts', { ...t.app.escalation.contacts });
    expect(thanks!.text).toBe(`${tr('en', 'feedback:thanksDown')}\n\n${tr('en', 'feedback:nextSteps')} ${contacts}`);
    expect(thanks!.buttons!.flat().map((b) => b.data)).toEqual(['cmd:topics']);
    expect(metric(await metrics(t), 'thunder_answer_feedback_total{entry="controller",vote="down",channel="web"}')).toBe(1);
    expect(gaps).toEqual([]);
  });

  it('any other rating payload is refused with a clear answer and counts nothing (property)', async () => {
    const s = await chat.session('en');
    const answer = await chat.say(s, { text: 'How long do you keep my data?' });
    const real = rating(answer, 'up')!.data;
    const series = (m: string) => m.split('\n').filter((l) => l.startsWith('thunder_answer_feedback_total{'));
    const before = series(await metrics(t));
    const tag = fc.stringMatching(/^[A-Za-z0-9_-]{8}$/);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 40 }).map((x) => `fb:${x}`),
          fc.tuple(fc.constantFrom('up', 'down'), tag).map(([vote, t]) => `fb:${vote}:${t}`),
          fc.string({ maxLength: 20 }).map((x) => `${real}${x}`),
        ),
        async (data) => {
          fc.pre(data !== real && Buffer.byteLength(data) <= 64);
          const [reply] = await chat.say(s, { button: data });
          expect([tr('en', 'feedback:invalid'), tr('en', 'feedback:stale')]).toContain(reply!.text);
        },
      ),
      { numRuns: 80 },
    );
    expect(series(await metrics(t))).toEqual(before);
    // The real button still counts afterwards.
    expect((await chat.say(s, { button: real }))[0]!.text).toBe(tr('en', 'feedback:thanksUp'));
  });

  it('only the last five answers can be rated: older buttons say so', async () => {
    const s = await chat.session('en');
    const first = await chat.say(s, { text: 'How long do you keep my data?' });
    for (let i = 0; i < 5; i++) await chat.say(s, { text: 'Who is the controller?' });
    const [reply] = await chat.say(s, { button: rating(first, 'down')!.data });
    expect(reply!.text).toBe(tr('en', 'feedback:stale'));
    expect(gaps).toEqual([]);
  });
});
