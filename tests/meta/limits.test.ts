import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  graphemes,
  instagramPayload,
  LIMITS,
  messengerPayload,
  shorten,
  splitText,
  utf8Bytes,
  whatsappPayload,
} from '../../src/channels/meta/limits.js';
import { renderSendApi, renderWhatsApp } from '../../src/channels/meta/render.js';
import type { Reply } from '../../src/core/types.js';
import { tr } from '../helpers/locales.js';

const WORDS = { choose: tr('lv', 'meta:choose'), more: tr('lv', 'meta:more'), rate: tr('lv', 'meta:rate') };
const noSpace = (s: string) => s.replace(/\s+/g, '');
/** No lone surrogate: a split or cut never halves an emoji. */
const wellFormed = (s: string) => !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);
/** Text rich in what breaks naive splitters: Latvian letters, emoji with modifiers, flags, combining marks, newlines. */
const pieces = ['ā', 'š', 'ž', 'Ķ', 'a', 'b', ' ', ' ', '\n', '\n\n', '👍🏽', '👨‍👩‍👧', '🇱🇻', 'e\u0301', 'datu', 'apstrāde', '.'];
const richText = fc.array(fc.constantFrom(...pieces), { maxLength: 3000 }).map((a) => a.join(''));
const label = fc
  .array(fc.constantFrom(...pieces, 'Sūdzības', 'Kā iesniegt pieprasījumu?'), { minLength: 1, maxLength: 30 })
  .map((a) => a.join(''));

describe('splitText', () => {
  it('keeps every part within the limit, loses nothing and never cuts a grapheme (characters and UTF-8 bytes)', () => {
    fc.assert(
      fc.property(richText, fc.integer({ min: 20, max: 500 }), fc.boolean(), (text, limit, bytes) => {
        const measure = bytes ? utf8Bytes : (s: string) => s.length;
        const parts = splitText(text, limit, measure);
        for (const p of parts) {
          expect(measure(p)).toBeLessThanOrEqual(limit);
          expect(wellFormed(p)).toBe(true);
          expect(p.trim()).toBe(p);
          expect(p).not.toBe('');
        }
        expect(noSpace(parts.join(''))).toBe(noSpace(text));
        expect(
          parts
            .flatMap(graphemes)
            .filter((g) => g.trim())
            .join(''),
        ).toBe(
          graphemes(text)
            .filter((g) => g.trim())
            .join(''),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('cuts at a paragraph before a word', () => {
    const text = `${'a '.repeat(400)}\n\n${'b '.repeat(400)}`;
    expect(splitText(text, 1000)).toEqual(['a '.repeat(400).trim(), 'b '.repeat(400).trim()]);
  });

  it('counts Latvian diacritics as two bytes for Instagram', () => {
    const parts = splitText('ā'.repeat(600), LIMITS.instagramBytes, utf8Bytes);
    expect(parts.map((p) => p.length)).toEqual([500, 100]);
  });
});

describe('shorten', () => {
  it('fits the limit, ends with "…" when cut, and keeps whole graphemes', () => {
    fc.assert(
      fc.property(label, fc.integer({ min: 4, max: 30 }), (text, max) => {
        const s = shorten(text, max);
        expect(s.length).toBeLessThanOrEqual(max);
        expect(wellFormed(s)).toBe(true);
        const clean = text.replace(/\s+/g, ' ').trim();
        if (clean.length <= max) expect(s).toBe(clean);
        else {
          expect(s.endsWith('…')).toBe(true);
          expect(clean.startsWith(s.slice(0, -1).trimEnd())).toBe(true);
          expect(
            graphemes(clean)
              .join('')
              .startsWith(graphemes(s.slice(0, -1)).join('')),
          ).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
    expect(shorten('Kā iesniegt pieprasījumu par datu dzēšanu?', 20)).toBe('Kā iesniegt piepras…');
    expect(shorten('👨‍👩‍👧👨‍👩‍👧👨‍👩‍👧', 12)).toBe('👨‍👩‍👧…');
  });
});

const button = fc.record(
  { label, data: fc.string({ minLength: 1, maxLength: 60 }), icon: fc.constantFrom('up' as const, 'down' as const) },
  { requiredKeys: ['label', 'data'] },
);
const reply: fc.Arbitrary<Reply> = fc.record(
  {
    text: richText,
    section: fc.option(label, { nil: undefined }),
    buttons: fc.option(fc.array(fc.array(button, { minLength: 1, maxLength: 3 }), { maxLength: 8 }), { nil: undefined }),
  },
  { requiredKeys: ['text'] },
);

describe('every outgoing payload passes the limit schemas', () => {
  it('Messenger, Instagram and WhatsApp renderings of any replies', () => {
    fc.assert(
      fc.property(fc.array(reply, { minLength: 1, maxLength: 3 }), (replies) => {
        const m = renderSendApi('messenger', '7001', replies, { messaging_type: 'RESPONSE' });
        const i = renderSendApi('instagram', '5501', replies, { messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' });
        const w = renderWhatsApp('37120000001', replies, WORDS);
        for (const p of m) expect(messengerPayload.safeParse(p).success).toBe(true);
        for (const p of i) expect(instagramPayload.safeParse(p).success).toBe(true);
        for (const p of w) expect(whatsappPayload.safeParse(p).success).toBe(true);
        // Nothing of the text is lost on any channel.
        const sent = noSpace(m.map((p) => p.message.text).join(''));
        for (const r of replies) expect(sent.includes(noSpace(r.text))).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('WhatsApp: up to 3 choices as reply buttons, 4-10 as one list, 12 as two lists', () => {
    const choices = (n: number) => [
      Array.from({ length: n }, (_, i) => ({ label: `Tēma numur ${i + 1}: personas datu apstrāde`, data: `topic:${i}` })),
    ];
    const types = (n: number) =>
      renderWhatsApp('1', [{ text: 'Izvēlieties tēmu', buttons: choices(n) }], WORDS).map((p) =>
        p.type === 'interactive' ? p.interactive.type : p.type,
      );
    expect(types(3)).toEqual(['button']);
    expect(types(4)).toEqual(['list']);
    expect(types(10)).toEqual(['list']);
    expect(types(12)).toEqual(['list', 'button']);
    const [list] = renderWhatsApp('1', [{ text: 'x', buttons: choices(5) }], WORDS);
    expect(list).toMatchObject({
      interactive: {
        action: {
          button: 'Izvēlēties',
          sections: [
            {
              rows: expect.arrayContaining([
                expect.objectContaining({ title: 'Tēma numur 1: personas…', description: 'Tēma numur 1: personas datu apstrāde' }),
              ]),
            },
          ],
        },
      },
    });
  });

  it('WhatsApp: the 👍/👎 rating keeps reply buttons of its own when the other choices need a list', () => {
    const topics = (n: number) => Array.from({ length: n }, (_, i) => ({ label: `Tēma ${i + 1}`, data: `a:${i}` }));
    const rating = [
      { label: '👍', data: 'fb:up:AAAAAAAA', icon: 'up' as const },
      { label: '👎', data: 'fb:down:AAAAAAAA', icon: 'down' as const },
    ];
    const render = (n: number) => renderWhatsApp('1', [{ text: 'Atbilde', buttons: [...topics(n).map((b) => [b]), rating] }], WORDS);
    // One other choice: all three fit as reply buttons under the answer.
    const [one] = render(1);
    expect(one).toMatchObject({ interactive: { type: 'button', body: { text: 'Atbilde' } } });
    expect(one!.type === 'interactive' && one!.interactive.type === 'button' && one!.interactive.action.buttons.length).toBe(3);
    // Four: the topics as a list under the answer, the rating as two buttons after it.
    const [list, rate] = render(4);
    expect(list).toMatchObject({ interactive: { type: 'list', body: { text: 'Atbilde' } } });
    expect(JSON.stringify(list)).not.toContain('fb:');
    expect(rate).toMatchObject({
      interactive: {
        type: 'button',
        body: { text: WORDS.rate },
        action: { buttons: [{ reply: { id: 'fb:up:AAAAAAAA', title: '👍' } }, { reply: { id: 'fb:down:AAAAAAAA', title: '👎' } }] },
      },
    });
  });

  it('refuses what Meta would refuse', () => {
    const base = { recipient: { id: '1' }, messaging_type: 'RESPONSE' };
    expect(messengerPayload.safeParse({ ...base, message: { text: 'x'.repeat(2001) } }).success).toBe(false);
    expect(instagramPayload.safeParse({ ...base, message: { text: 'ā'.repeat(501) } }).success).toBe(false);
    expect(instagramPayload.safeParse({ ...base, message: { text: 'ā'.repeat(500) } }).success).toBe(true);
    const qr = (title: string) => ({ content_type: 'text', title, payload: 'p' });
    expect(messengerPayload.safeParse({ ...base, message: { text: 'x', quick_replies: Array(14).fill(qr('a')) } }).success).toBe(false);
    expect(messengerPayload.safeParse({ ...base, message: { text: 'x', quick_replies: [qr('x'.repeat(21))] } }).success).toBe(false);
    expect(messengerPayload.safeParse({ ...base, messaging_type: 'MESSAGE_TAG', message: { text: 'x' } }).success).toBe(false);
    const wa = { messaging_product: 'whatsapp', recipient_type: 'individual', to: '1', type: 'interactive' };
    const btn = (id: string) => ({ type: 'reply', reply: { id, title: 't' } });
    expect(
      whatsappPayload.safeParse({
        ...wa,
        interactive: { type: 'button', body: { text: 'x' }, action: { buttons: [btn('a'), btn('b'), btn('c'), btn('d')] } },
      }).success,
    ).toBe(false);
    const row = (id: string) => ({ id, title: 't' });
    const rows = Array.from({ length: 11 }, (_, i) => row(String(i)));
    expect(
      whatsappPayload.safeParse({
        ...wa,
        interactive: { type: 'list', body: { text: 'x' }, action: { button: 'b', sections: [{ rows }] } },
      }).success,
    ).toBe(false);
    expect(
      whatsappPayload.safeParse({
        ...wa,
        interactive: {
          type: 'list',
          body: { text: 'x' },
          action: { button: 'b', sections: [{ rows: [{ id: '1', title: 'x'.repeat(25) }] }] },
        },
      }).success,
    ).toBe(false);
    expect(whatsappPayload.safeParse({ ...wa, type: 'text', text: { body: 'x'.repeat(4097), preview_url: false } }).success).toBe(false);
  });
});
