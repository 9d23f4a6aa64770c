import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RateLimiter } from '../../src/ops/ratelimit.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

describe('RateLimiter (token bucket)', () => {
  it('allows the limit at once, then refills continuously', () => {
    let now = 0;
    const limiter = new RateLimiter(6, () => now);
    const waits = Array.from({ length: 8 }, () => limiter.take('u'));
    // One token per 10 s: the seventh message must wait the full 10 s, and so must the eighth.
    expect(waits).toEqual([0, 0, 0, 0, 0, 0, 10_000, 10_000]);
    expect(limiter.take('other')).toBe(0);
    now += 4_000;
    expect(limiter.take('u')).toBe(6_000);
    now += 6_000;
    expect(limiter.take('u')).toBe(0);
    expect(limiter.take('u')).toBe(10_000);
  });

  it('never lets more than limit + elapsed × rate through, whatever the timing (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.array(fc.integer({ min: 0, max: 5000 }), { maxLength: 300 }), (limit, gaps) => {
        let now = 0;
        const limiter = new RateLimiter(limit, () => now);
        let allowed = 0;
        for (const gap of gaps) {
          now += gap;
          if (limiter.take('u') === 0) allowed++;
        }
        expect(allowed).toBeLessThanOrEqual(limit + (now * limit) / 60_000 + 1e-9);
      }),
    );
  });

  it('forgets users whose bucket has refilled', () => {
    let now = 0;
    const limiter = new RateLimiter(10, () => now);
    limiter.take('a');
    limiter.take('b');
    now += 3_000;
    limiter.sweep();
    expect(limiter.size).toBe(2);
    now += 60_000;
    limiter.sweep();
    expect(limiter.size).toBe(0);
  });
});

describe('rate limit middleware', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_PER_MINUTE: '3' }, { listen: true });
  });
  afterAll(() => t.teardown());

  it("answers every message of a flood, politely and in the user's language, saying when to try again", async () => {
    const msg = { channel: 'web' as const, userId: 'flood', chatId: 'flood', locale: 'lv' };
    for (let i = 0; i < 3; i++) {
      const replies = await t.app.core.handle({ ...msg, text: `jautājums ${i}` });
      expect(replies.map((r) => r.text).join()).not.toMatch(/uzgaidiet/);
    }
    // 3 a minute: the next token comes 20 s after the first message.
    const refused = await t.app.core.handle({ ...msg, text: 'vēl viens' });
    expect(refused).toHaveLength(1);
    expect(refused[0]?.text).toMatch(
      /^Jūs rakstāt ātrāk, nekā spēju atbildēt\. Lūdzu, uzgaidiet (1?\d|20) sekund(i|es) un mēģiniet vēlreiz\.$/,
    );
    expect((await t.app.core.handle({ ...msg, text: 'un vēl' }))[0]?.text).toMatch(/uzgaidiet \d+ sekund/);

    const english = { channel: 'web' as const, userId: 'flood-en', chatId: 'flood-en', locale: 'en-US' };
    for (let i = 0; i < 3; i++) await t.app.core.handle({ ...english, text: 'hello' });
    expect((await t.app.core.handle({ ...english, text: 'hello' }))[0]?.text).toMatch(
      /^You're writing faster than I can answer\. Please wait \d+ seconds? and try again\.$/,
    );

    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toMatch(/^thunder_rate_limited_total\{channel="web"\} 3$/m);
  });

  it('keys the limit per user and per channel', async () => {
    const replies = await t.app.core.handle({ channel: 'telegram', userId: 'flood', chatId: 'flood', text: 'hello' });
    expect(replies.map((r) => r.text).join()).not.toContain('fast');
  });
});
