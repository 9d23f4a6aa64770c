import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GapInput, GapSink } from '../../src/learning/types.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { buttonBody, commandBody, eventBody, FakeSlack, type Payload, postSigned } from '../helpers/fake-slack.js';
import { tr } from '../helpers/locales.js';
import { until } from '../helpers/wait.js';
import { metric, metrics } from './metrics.js';

const FORM = 'application/x-www-form-urlencoded';

let slack: FakeSlack;
let t: TestApp;
const gaps: GapInput[] = [];
const sink: GapSink = { capture: async (gap) => void gaps.push(gap), forget: async () => {} };

async function slash(text: string): Promise<Payload> {
  const res = await postSigned(t.url!, commandBody('/privacy', text), { contentType: FORM });
  expect(res.status).toBe(200);
  return (await res.json()) as Payload;
}

/** The 👍/👎 actions block of a staff answer: action ids and the value they carry. */
function ratingOf(blocks: Payload[]): { actions: string[]; value: string } {
  const block = blocks.find((b) => b.type === 'actions' && b.elements.some((e: Payload) => String(e.action_id).startsWith('fb:')));
  expect(block, JSON.stringify(blocks)).toBeDefined();
  return { actions: block!.elements.map((e: Payload) => e.action_id), value: block!.elements[0].value };
}

/** Presses a rating button as `user` in `channel`; resolves to the ephemeral reply's text. */
async function press(action: string, value: string, user = 'U0STAFF', channel = 'D0STAFF'): Promise<string> {
  const before = slack.callsOf('chat.postEphemeral').length;
  const res = await postSigned(t.url!, buttonBody(action, value, user, channel, '1764000900.000100'), { contentType: FORM });
  expect(res.status).toBe(200);
  await until(() => slack.callsOf('chat.postEphemeral').length > before);
  return slack.callsOf('chat.postEphemeral').at(-1)!.payload.text;
}

beforeAll(async () => {
  slack = await FakeSlack.start();
  t = await startTestApp({ ...slack.env(), WEB_CHAT: 'false' }, { listen: true, gaps: sink });
});

afterAll(async () => {
  await t?.teardown();
  await slack?.close();
});

describe('answer feedback in Slack (real Bolt, fake Web API, signed block_actions)', () => {
  it('a /privacy answer carries 👍/👎; a signed 👎 is thanked once and becomes a gap with the asked question', async () => {
    const question = 'Cik ilgi jūs glabājat manus personas datus?';
    const answer = await slash(question);
    const { actions, value } = ratingOf(answer.blocks);
    expect(actions).toEqual(['fb:up', 'fb:down']);
    expect(value).not.toContain('retention');

    expect(await press('fb:down', value)).toBe(tr('lv', 'feedback:thanksDown'));
    expect(await press('fb:down', value)).toBe(tr('lv', 'feedback:already'));
    const gap = await until(() => gaps.find((g) => g.channel === 'slack'));
    expect(gap).toMatchObject({ reason: 'thumbs_down', text: question, lang: 'lv' });
    expect(gap.candidates[0]?.id).toBe('retention');
    expect(metric(await metrics(t), 'thunder_answer_feedback_total{entry="retention",vote="down",channel="slack"}')).toBe(1);
  });

  it('a DM answer carries them too; forged and malformed values get a clear answer and count nothing', async () => {
    await postSigned(
      t.url!,
      eventBody({
        type: 'message',
        channel_type: 'im',
        channel: 'D0RATE',
        user: 'U0STAFF',
        text: 'Who is the controller?',
        ts: '1764000950.1',
      }),
    );
    const call = await slack.waitForCall('chat.postMessage', (p) => p.channel === 'D0RATE');
    const { value } = ratingOf(call.payload.blocks);
    const before = metrics(t);
    expect(await press('fb:up', 'AAAAAAAA', 'U0STAFF', 'D0RATE')).toBe(tr('lv', 'feedback:stale'));
    expect(await press('fb:up', 'not a tag at all', 'U0STAFF', 'D0RATE')).toBe(tr('lv', 'feedback:invalid'));
    const series = (m: string) => m.split('\n').filter((l) => l.startsWith('thunder_answer_feedback_total{'));
    expect(series(await metrics(t))).toEqual(series(await before));
    expect(await press('fb:up', value, 'U0STAFF', 'D0RATE')).toBe(tr('lv', 'feedback:thanksUp'));
  });

  it('/privacy stats lists the votes by entry, customers and staff together', async () => {
    const user = 'stats-web-user';
    const [answer] = await t.app.core.handle({ channel: 'web', userId: user, chatId: user, text: 'How long do you keep my data?' });
    const up = answer!.buttons!.flat().find((b) => b.icon === 'up')!;
    await t.app.core.handle({ channel: 'web', userId: user, chatId: user, button: up.data });
    const stats = JSON.stringify((await slash('stats')).blocks);
    expect(stats).toContain(tr('lv', 'slack:statsFeedback'));
    // retention: one 👍 from the web, one 👎 from staff.
    expect(stats).toContain(tr('lv', 'slack:statsFeedbackLine', { id: 'retention', up: 1, down: 1 }));
    expect(stats).toContain(tr('lv', 'slack:statsFeedbackLine', { id: 'controller', up: 1, down: 0 }));
    // Most 👎 first: where the answers need work.
    expect(stats.indexOf('`retention`')).toBeLessThan(stats.indexOf('`controller`'));
  });
});
