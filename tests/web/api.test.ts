import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { loadKnowledge } from '../../src/answers/knowledge.js';
import { loadConfig } from '../../src/config/index.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { buttonsOf, ChatClient } from './chat-client.js';

const kb = loadKnowledge();
const titles = (lang: 'lv' | 'en') => new Set(kb.sections.map((s) => s.title[lang]));

let t: TestApp;
let chat: ChatClient;

beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT_PER_MINUTE: '1000' }, { listen: true });
  chat = new ChatClient(t.url as string);
});
afterAll(() => t.teardown());

describe('web chat page', () => {
  it('serves the widget in the browser language with its strings and a strict CSP', async () => {
    const res = await fetch(`${t.url}/`, { headers: { 'accept-language': 'en-GB,en;q=0.9' } });
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    const html = await res.text();
    expect(html).toContain('<html lang="en">');
    expect(html).toMatch(/<textarea id="input"[^>]* maxlength="4000"/);
    const json = /<script id="thunder-config" type="application\/json">([^<]*)<\/script>/.exec(html)?.[1];
    const config = JSON.parse(json ?? 'null') as { lang: string; strings: Record<string, Record<string, string>> };
    expect(config.lang).toBe('en');
    expect(config.strings.lv?.send).toBe('Sūtīt');
    expect(config.strings.en?.send).toBe('Send');

    const lv = await (await fetch(`${t.url}/`, { headers: { 'accept-language': 'lv-LV' } })).text();
    expect(lv).toContain('<html lang="lv">');
    for (const asset of ['/chat.js', '/chat.css', '/embed.js']) expect((await fetch(`${t.url}${asset}`)).status).toBe(200);
  });

  it('lets only the configured sites embed it in a frame', async () => {
    // By default only the chat's own origin may frame it.
    expect((await fetch(`${t.url}/`)).headers.get('content-security-policy')).toContain("frame-ancestors 'self'");
    const own = await startTestApp({ WEB_EMBED_ORIGINS: "https://www.kilowats.lv 'self'" }, { noStart: true });
    try {
      const csp = (await own.app.http.request('/')).headers.get('content-security-policy');
      expect(csp).toContain("frame-ancestors https://www.kilowats.lv 'self'");
    } finally {
      await own.teardown();
    }
    expect(() => loadConfig({ WEB_EMBED_ORIGINS: 'https://a.lv; script-src *' })).toThrow(/WEB_EMBED_ORIGINS/);
  });

  it('never puts bot or user text through innerHTML', async () => {
    const js = await (await fetch(`${t.url}/chat.js`)).text();
    expect(js).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
    expect(js).toContain('textContent');
  });
});

describe('web chat API', () => {
  it('creates anonymous random sessions', async () => {
    const res = await fetch(`${t.url}/api/chat/session`, { method: 'POST' });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { sessionId: string; lang: string };
    expect(body.sessionId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(body.lang).toBe(t.config.DEFAULT_LANG);
    expect(await chat.session()).not.toBe(body.sessionId);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('answers a Latvian question in Latvian, citing a policy section', async () => {
    const sid = await chat.session('lv');
    const replies = await chat.say(sid, { text: 'Kā es varu panākt, lai manus datus izdzēš?', locale: 'lv' });
    const cited = replies.find((r) => r.section);
    expect(cited, JSON.stringify(replies)).toBeDefined();
    expect(titles('lv').has(cited?.section ?? '')).toBe(true);
    expect(cited?.sectionLang).toBe('lv');
    expect(replies.some((r) => 'quote' in r)).toBe(false);
  });

  it('answers an English question in English, with follow-up buttons that work', async () => {
    const sid = await chat.session('en');
    const replies = await chat.say(sid, { text: 'How long do you keep my personal data?', locale: 'en' });
    const cited = replies.find((r) => r.section);
    expect(titles('en').has(cited?.section ?? ''), JSON.stringify(replies)).toBe(true);
    expect(cited?.sectionLang).toBe('en');
    const followUp = buttonsOf(replies).find((b) => b.data.startsWith('a:'));
    expect(followUp).toBeDefined();
    const next = await chat.say(sid, { button: followUp?.data as string });
    const entry = kb.entries.get(String(followUp?.data).slice(2));
    expect(next.map((r) => r.text).join('\n')).toContain(entry?.answer.en.slice(0, 40) ?? 'no such entry');
  });

  it('takes binary and emoji-only text without failing', async () => {
    const sid = await chat.session();
    for (const text of ['\u0000\u0001\u0002\uFFFD', '🙂🔥⚡', 'ﷺ 𝕏 \u202E reversed']) {
      const replies = await chat.say(sid, { text });
      expect(replies.length).toBeGreaterThan(0);
      expect(replies.every((r) => typeof r.text === 'string' && r.text.length > 0)).toBe(true);
    }
  });

  it('refuses bad bodies with 400 and a JSON error naming the field', async () => {
    const sid = await chat.session();
    const cases: [unknown, string][] = [
      ['{not json', 'invalid_json'],
      [{ text: 'hi' }, 'sessionId'],
      [{ sessionId: 'nope', text: 'hi' }, 'sessionId'],
      [{ sessionId: sid }, 'exactly one'],
      [{ sessionId: sid, text: 'hi', button: 'cmd:start' }, 'exactly one'],
      [{ sessionId: sid, text: '   ' }, 'empty'],
      [{ sessionId: sid, text: 'x'.repeat(4001) }, 'at most 4000'],
      [{ sessionId: sid, button: 'a:'.repeat(40) }, '64 bytes'],
      [{ sessionId: sid, text: 'hi', locale: '<script>' }, 'locale'],
      [{ sessionId: sid, text: 'hi', extra: 1 }, 'extra'],
      [[1, 2], 'validation_failed'],
    ];
    for (const [body, expected] of cases) {
      const res = await chat.post(body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(await res.text()).toContain(expected);
    }
    const wrongType = await chat.post({ sessionId: sid, text: 'hi' }, { 'content-type': 'text/plain' });
    expect(wrongType.status).toBe(415);
  });

  it('refuses a huge body with 413, with or without a content-length', async () => {
    const sid = await chat.session();
    const huge = JSON.stringify({ sessionId: sid, text: 'a'.repeat(200_000) });
    const res = await chat.post(huge);
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');

    const chunks = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 10; i++) controller.enqueue(new TextEncoder().encode('a'.repeat(10_000)));
        controller.close();
      },
    });
    const streamed = await fetch(`${t.url}/api/chat/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: chunks,
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
  });

  it('answers 404 for an unknown or expired session', async () => {
    const res = await chat.post({ sessionId: crypto.randomUUID(), text: 'hi' });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unknown_session');
  });

  it('never answers 5xx to arbitrary bodies (fuzz)', async () => {
    const sid = await chat.session();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.json(),
          fc.string(),
          fc.record({ sessionId: fc.constantFrom(sid, 'x'), text: fc.string({ unit: 'binary' }) }, { requiredKeys: [] }),
          fc.record({ sessionId: fc.constant(sid), button: fc.string() }),
        ),
        async (body) => {
          const res = await chat.post(body);
          expect([200, 400, 404]).toContain(res.status);
          await res.json();
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('pushed messages', () => {
  it('keeps out-of-turn messages per session until the page polls, in order', async () => {
    const sid = await chat.session();
    const other = await chat.session();
    await t.app.core.push('web', sid, [{ text: 'First from the agent', quote: ['staff only'] }]);
    await t.app.core.push('web', sid, [{ text: 'Second', buttons: [[{ label: 'Yes', data: 'esc:yes' }]] }]);

    const all = await chat.pushed(sid);
    expect(all.map((m) => m.replies[0]?.text)).toEqual(['First from the agent', 'Second']);
    expect(all[1]?.replies[0]?.buttons?.[0]?.[0]).toEqual({ label: 'Yes', data: 'esc:yes' });
    expect(JSON.stringify(all)).not.toContain('staff only');
    expect(await chat.pushed(sid, all[0]?.id)).toHaveLength(1);
    expect(await chat.pushed(sid, all[1]?.id)).toHaveLength(0);
    expect(await chat.pushed(other)).toHaveLength(0);
  });

  it('validates the poll query', async () => {
    const res = await fetch(`${t.url}/api/chat/messages?sessionId=x&after=-1`);
    expect(res.status).toBe(400);
    const issues = ((await res.json()) as { error: { issues: { path: string }[] } }).error.issues.map((i) => i.path);
    expect(issues).toEqual(expect.arrayContaining(['sessionId', 'after']));
  });

  it('erases pushed messages on /forget', async () => {
    const sid = await chat.session();
    await t.app.core.push('web', sid, [{ text: 'Agent reply' }]);
    expect(await chat.pushed(sid)).toHaveLength(1);
    const confirm = buttonsOf(await chat.say(sid, { text: '/forget' })).find((b) => b.data === 'forget:yes');
    expect(confirm).toBeDefined();
    expect(await chat.pushed(sid)).toHaveLength(1);
    await chat.say(sid, { button: 'forget:yes' });
    expect(await chat.pushed(sid)).toHaveLength(0);
  });
});
