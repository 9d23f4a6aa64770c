import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GapInput, GapSink } from '../../src/learning/types.js';
import { dropRedisPrefix, REDIS_URL, startTestApp, type TestApp, uniquePrefix } from '../helpers/app.js';
import { tr } from '../helpers/locales.js';
import { metric, metrics } from './metrics.js';

const prefix = uniquePrefix('feedback');
let a: TestApp;
let b: TestApp;
const gaps: GapInput[] = [];
const sink: GapSink = { capture: async (gap) => void gaps.push(gap), forget: async () => {} };

beforeAll(async () => {
  const env = { REDIS_URL, RATE_LIMIT_PER_MINUTE: '1000' };
  a = await startTestApp(env, { listen: true, storePrefix: prefix, gaps: sink });
  b = await startTestApp(env, { listen: true, storePrefix: prefix, gaps: sink });
});

afterAll(async () => {
  await a?.teardown();
  await b?.teardown();
  await dropRedisPrefix(REDIS_URL, prefix);
});

const sample = 'thunder_answer_feedback_total{entry="retention",vote="down",channel="web"}';
const count = async (t: TestApp) => metric(await metrics(t), sample) || 0;

describe('answer feedback across instances (Redis)', () => {
  it('the same 👎 pressed on two instances at once is counted once and makes one gap', async () => {
    const user = 'fb-two-instances';
    const msg = { channel: 'web' as const, userId: user, chatId: user };
    const question = 'How long do you keep my personal data?';
    const [answer] = await a.app.core.handle({ ...msg, text: question });
    const down = answer!.buttons!.flat().find((x) => x.icon === 'down')!;

    const replies = await Promise.all([a.app.core.handle({ ...msg, button: down.data }), b.app.core.handle({ ...msg, button: down.data })]);
    const texts = replies.map((r) => r[0]!.text);
    expect(texts.filter((x) => x === tr('en', 'feedback:already'))).toHaveLength(1);
    expect(texts.filter((x) => x.startsWith(tr('en', 'feedback:thanksDown')))).toHaveLength(1);
    // Counters are per instance: their sum is the total.
    expect((await count(a)) + (await count(b))).toBe(1);
    expect(gaps.filter((g) => g.text === question)).toHaveLength(1);
  });
});
