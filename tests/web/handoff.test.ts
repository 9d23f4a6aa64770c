import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCALES_DIR } from '../../src/paths.js';
import { tr } from '../helpers/locales.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { buttonsOf, ChatClient, type WebReply } from './chat-client.js';

/** The JSON API as a customer's page drives it, with no agent desk configured (the default). */
let t: TestApp;
let chat: ChatClient;

beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT_PER_MINUTE: '1000' }, { listen: true });
  chat = new ChatClient(t.url as string);
});
afterAll(() => t.teardown());

const EMAIL = 'info@kilowats.lv';
const PHONE = '+371 29736211';
const textOf = (replies: WebReply[]) => replies.map((r) => r.text).join('\n');
const offersPerson = (replies: WebReply[]) => buttonsOf(replies).some((b) => b.data === 'cmd:human' || /person|cilvēk/i.test(b.label));

describe('honest hand-off without an agent desk', () => {
  it('never offers a person: not on a miss, not after two, not under "did you mean", not on the greeting', async () => {
    const sid = await chat.session('lv');
    const seen: WebReply[] = [...(await chat.say(sid, { button: 'cmd:start' }))];
    for (const text of [
      'Kāda būs laika prognoze rīt Ventspilī?',
      'Cik maksā elektrība pa nakti?',
      'zxqv blorptang wibble',
      'personas dati laika prognoze',
    ]) {
      const replies = await chat.say(sid, { text, locale: 'lv' });
      expect(replies.length).toBeGreaterThan(0);
      seen.push(...replies);
    }
    expect(offersPerson(seen), JSON.stringify(seen)).toBe(false);
    // Every miss says where to write instead.
    const misses = seen.filter((r) => r.text.startsWith(tr('lv', 'conversation:noAnswer')));
    expect(misses.length).toBeGreaterThanOrEqual(2);
    for (const r of misses) expect(r.text).toContain(EMAIL);
  });

  it('"gribu runāt ar cilvēku" gets the company\'s e-mail and phone and how to write, in Latvian', async () => {
    const sid = await chat.session('lv');
    const replies = await chat.say(sid, { text: 'gribu runāt ar cilvēku' });
    expect(textOf(replies)).toBe(
      `${tr('lv', 'escalation:unavailable')} ${tr('lv', 'escalation:contacts', { email: EMAIL, phone: PHONE })}`,
    );
    expect(offersPerson(replies)).toBe(false);
    // The same as /human, and in English when asked in English.
    expect(await chat.say(sid, { text: '/human' })).toEqual(replies);
    const en = await chat.say(await chat.session('lv'), { text: 'I want to talk to a human' });
    expect(textOf(en)).toContain(tr('en', 'escalation:contacts', { email: EMAIL, phone: PHONE }));
  });
});

describe('conversation intents in free text', () => {
  it('greeting, thanks and help get short replies pointing at what Thunder does', async () => {
    const sid = await chat.session('lv');
    const [hello] = await chat.say(sid, { text: 'Sveiki' });
    expect(hello?.text).toBe(tr('lv', 'conversation:greeting'));
    expect(buttonsOf([hello!]).map((b) => b.data)).toEqual(['cmd:topics']);
    expect((await chat.say(sid, { text: 'paldies' }))[0]?.text).toBe(tr('lv', 'conversation:thanks'));
    // One word typed alike in both languages keeps the conversation's language; an English sentence switches.
    expect((await chat.say(sid, { text: 'help' }))[0]?.text).toBe(tr('lv', 'conversation:help'));
    expect((await chat.say(sid, { text: 'thank you very much!' }))[0]?.text).toBe(tr('en', 'conversation:thanks'));
    expect((await chat.say(sid, { text: 'help' }))[0]?.text).toBe(tr('en', 'conversation:help'));
  });

  it('"what is the status of my request?" does what /status does', async () => {
    const sid = await chat.session('en');
    const replies = await chat.say(sid, { text: 'what is the status of my request?' });
    expect(replies).toEqual(await chat.say(sid, { text: '/status' }));
    expect(textOf(replies)).toContain(tr('en', 'requests:statusNone'));
  });

  it('a Russian or Ukrainian message gets a short note in that language with the contacts', async () => {
    const sid = await chat.session('lv');
    const [ru] = await chat.say(sid, { text: 'Здравствуйте, как удалить мои данные?' });
    expect(ru?.text).toMatch(/^Я отвечаю только на латышском и английском языках\./);
    expect(ru?.text).toContain(EMAIL);
    expect(ru?.text).toContain(PHONE);
    expect(buttonsOf([ru!]).map((b) => b.data)).toEqual(['lang:lv', 'lang:en']);
    const [uk] = await chat.say(sid, { text: 'Як видалити мої дані?' });
    expect(uk?.text).toMatch(/^Я відповідаю лише латиською та англійською/);
  });

  it('German, Lithuanian, Polish and Estonian get the note in their own language too', async () => {
    const sid = await chat.session('lv');
    const asked: [string, string][] = [
      ['de', 'Wie lange speichern Sie meine Daten?'],
      ['lt', 'Kaip ištrinti mano duomenis?'],
      ['pl', 'Jak długo przechowujecie moje dane?'],
      ['et', 'Kui kaua te minu andmeid hoiate?'],
    ];
    for (const [code, text] of asked) {
      const note = (JSON.parse(readFileSync(join(LOCALES_DIR, code, 'conversation.json'), 'utf8')) as { otherLanguage: string })
        .otherLanguage;
      const [reply] = await chat.say(sid, { text });
      expect(reply?.text, code).toBe(note.replace('{{email}}', EMAIL).replace('{{phone}}', PHONE));
    }
  });
});

describe('limits', () => {
  it('answers every rate-limited message, saying when to try again', async () => {
    const limited = await startTestApp({ RATE_LIMIT_PER_MINUTE: '2' }, { listen: true });
    try {
      const client = new ChatClient(limited.url as string);
      const sid = await client.session('en');
      for (let i = 0; i < 2; i++) await client.say(sid, { text: `question ${i}` });
      for (let i = 0; i < 4; i++) {
        const replies = await client.say(sid, { text: `flood ${i}` });
        expect(replies).toHaveLength(1);
        expect(replies[0]?.text).toMatch(/^You're writing faster than I can answer\. Please wait \d+ seconds? and try again\.$/);
      }
    } finally {
      await limited.teardown();
    }
  });

  it('tells the page its input limit and refuses longer text', async () => {
    const res = await fetch(`${t.url}/api/chat/session`, { method: 'POST' });
    const { maxTextChars, sessionId } = (await res.json()) as { maxTextChars: number; sessionId: string };
    expect(maxTextChars).toBe(4000);
    expect((await chat.post({ sessionId, text: 'x'.repeat(maxTextChars) })).status).toBe(200);
    expect((await chat.post({ sessionId, text: 'x'.repeat(maxTextChars + 1) })).status).toBe(400);
  });
});
