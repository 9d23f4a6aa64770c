import { Writable } from 'node:stream';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoreEvents } from '../../src/core/events.js';
import type { Incoming } from '../../src/core/types.js';
import { createLogger } from '../../src/log/logger.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { FakeTelegram } from '../helpers/fake-telegram.js';
import { tr } from '../helpers/locales.js';

// The conversation is channel-agnostic: these tests drive the core directly, as the web channel does.
let t: TestApp;
let fake: FakeTelegram;
const logLines: string[] = [];
let n = 0;
const msg = (fields: Partial<Incoming>): Incoming => ({ channel: 'web', userId: `u${n}`, chatId: `c${n}`, ...fields });

beforeAll(async () => {
  fake = await FakeTelegram.start();
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  t = await startTestApp({ ...fake.env(), RATE_LIMIT_PER_MINUTE: '100000' }, { log: createLogger('trace', sink) });
});

afterAll(async () => {
  await t?.teardown();
  await fake?.close();
});

describe('conversation', () => {
  it('an empty or blank message gets the help hint', async () => {
    n++;
    for (const text of ['', '   ', '\n\t']) {
      const replies = await t.app.core.handle(msg({ text, locale: 'en' }));
      expect(replies.map((r) => r.text)).toEqual([tr('en', 'conversation:helpHint')]);
    }
  });

  it('follows the language of the question until the user chooses one, then keeps to the choice', async () => {
    n++;
    const retention = t.app.engine.kb.entries.get('retention')!;
    const [reply] = await t.app.core.handle(msg({ text: 'How long do you keep my personal data?' }));
    expect(reply!.text).toBe(retention.answer.en);
    expect((await t.app.core.sessions.get(`web:u${n}`))?.lang).toBe('en');
    const [help] = await t.app.core.handle(msg({ text: '/help' }));
    expect(help!.text).toBe(tr('en', 'conversation:help'));

    // The switch message says answers stay in the chosen language; an English question then gets Latvian.
    const [set] = await t.app.core.handle(msg({ button: 'lang:lv' }));
    expect(set!.text).toBe(tr('lv', 'conversation:languageSet'));
    expect(set!.text).toMatch(/arī ja rakstīsiet angliski/);
    const [kept] = await t.app.core.handle(msg({ text: 'How long do you keep my personal data?' }));
    expect(kept!.text).toBe(retention.answer.lv);
    expect(kept!.section).toBe(retention.section.title.lv);
  });

  it("short or unreadable messages keep the conversation's language; a sentence in the other language switches it", async () => {
    n++;
    const retention = t.app.engine.kb.entries.get('retention')!;
    const [first] = await t.app.core.handle(msg({ text: 'Cik ilgi glabājat manus datus?', locale: 'en' }));
    expect(first!.text).toBe(retention.answer.lv);
    for (const text of ['ok', 'super', '👍', '?', 'help', 'menu', 'thanks!', '\u0000\u0007ÿþ', '/nonexistent', 'qwx']) {
      const replies = await t.app.core.handle(msg({ text, locale: 'en' }));
      expect((await t.app.core.sessions.get(`web:u${n}`))?.lang, text).toBe('lv');
      // Whatever the reply is, it is the Latvian one.
      for (const r of replies) expect(r.text, text).not.toMatch(/\b(the|you|your|I)\b/);
    }
    const [help] = await t.app.core.handle(msg({ text: 'help', locale: 'en' }));
    expect(help!.text).toBe(tr('lv', 'conversation:help'));
    const [en] = await t.app.core.handle(msg({ text: 'How long do you keep my personal data?', locale: 'lv' }));
    expect(en!.text).toBe(retention.answer.en);
    const [ok] = await t.app.core.handle(msg({ text: 'paldies', locale: 'lv' }));
    expect(ok!.text).toBe(tr('en', 'conversation:thanks'));
  });

  it('emits answered and fallback events with ids only', async () => {
    n++;
    const seen: { name: string; payload: unknown }[] = [];
    const on = <K extends keyof CoreEvents>(name: K) => {
      const fn = (...args: CoreEvents[K]) => seen.push({ name, payload: args[0] });
      t.app.core.events.on(name, fn as never);
      return () => t.app.core.events.off(name, fn as never);
    };
    const offs = [on('answered'), on('fallback')];
    await t.app.core.handle(msg({ text: 'Who is the data controller?' }));
    await t.app.core.handle(msg({ text: 'zxqv blorptang wibble' }));
    offs.forEach((off) => off());
    expect(seen).toEqual([
      { name: 'answered', payload: { channel: 'web', entryId: 'controller', lang: 'en' } },
      { name: 'fallback', payload: { channel: 'web', lang: expect.stringMatching(/^(lv|en)$/) } },
    ]);
  });

  it('any text at all gets a clear, non-empty answer and never an error (fuzz)', async () => {
    const weird = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.string({ unit: 'grapheme', maxLength: 200 }),
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.constantFrom('😀😀😀', '🇱🇻', '\u0000\u0001\u0002', 'ā'.repeat(100_000), '/', '/start@', '/😀', 'a:', 'Привет, как дела?', '你好'),
    );
    await fc.assert(
      fc.asyncProperty(weird, fc.constantFrom(undefined, 'lv', 'en', 'ru'), async (text, locale) => {
        n++;
        const replies = await t.app.core.handle(msg({ text, ...(locale ? { locale } : {}) }));
        expect(replies.length).toBeGreaterThan(0);
        for (const r of replies) {
          expect(r.text.trim().length).toBeGreaterThan(0);
          expect(r.text).not.toBe(tr('en', 'core:error'));
          expect(r.text).not.toBe(tr('lv', 'core:error'));
          for (const b of (r.buttons ?? []).flat()) expect(Buffer.byteLength(b.data)).toBeLessThanOrEqual(64);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('any button data gets an answer and never an error (fuzz)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string({ maxLength: 64 }), fc.constantFrom('a:', 'topic:', 'lang:xx', 'forget:', 'cmd:', 'cmd:nope', 'lang:')),
        async (button) => {
          n++;
          const replies = await t.app.core.handle(msg({ button }));
          expect(replies.length).toBeGreaterThan(0);
          for (const r of replies) expect(r.text).not.toBe(tr('en', 'core:error'));
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('privacy notice', () => {
  it('states the configured retention with the right plural form', async () => {
    const cases: [string, 'lv' | 'en', string][] = [
      ['21', 'lv', '21 dienu'],
      ['30', 'lv', '30 dienas'],
      ['1', 'en', '1 day '],
      ['7', 'en', '7 days'],
    ];
    for (const [days, lang, expected] of cases) {
      const app = await startTestApp({ STATE_TTL_DAYS: days }, { noStart: true });
      try {
        const [reply] = await app.app.core.handle({ channel: 'web', userId: 'p', chatId: 'p', text: '/start', locale: lang });
        // The web page has its own "delete my chat" link; the greeting points to it, not to /forget.
        expect(reply!.text).toContain(tr(lang, 'conversation:privacyWeb', { count: Number(days), link: tr(lang, 'web:forget') }));
        expect(reply!.text).not.toContain('/forget');
        expect(reply!.text).toContain(expected);
      } finally {
        await app.teardown();
      }
    }
  });
});

describe('privacy of logs', () => {
  it('message text and personal data never reach the logs, even when sending fails', async () => {
    const secret = 'Jānis Bērziņš janis.berzins@example.com +37129999999 personas kods 010190-12345';
    logLines.length = 0;
    await t.app.core.handle(msg({ text: secret }));
    fake.sendText(4242, secret, { lang: 'lv' });
    await fake.waitForMessages(4242, 1);
    fake.failNext(1, { status: 400, method: 'sendMessage' });
    fake.sendText(4243, secret, { lang: 'lv' });
    await fake.waitForCall('sendMessage', (p) => String(p.chat_id) === '4243');
    await new Promise((r) => setTimeout(r, 100));
    const logs = logLines.join('');
    expect(logs).toContain('telegram: update failed');
    for (const piece of ['Jānis', 'Bērziņš', 'janis.berzins', '37129999999', '010190']) expect(logs).not.toContain(piece);
  });
});
