import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MESSAGE_LIMIT, renderReplies, splitEscaped } from '../../src/channels/telegram/render.js';
import { escapeMarkup as escapeHtml } from '../../src/core/markup.js';

const unescape = (html: string) => html.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

describe('Telegram rendering', () => {
  it('escapes HTML so user-looking markup is shown, not parsed', () => {
    const [m] = renderReplies([{ text: '<b>x</b> & <script>', section: 'A & <B>' }]);
    expect(m!.html).toContain('&lt;b&gt;x&lt;/b&gt; &amp; &lt;script&gt;');
    expect(m!.html).toContain('<i>A &amp; &lt;B&gt;</i>');
    expect(m!.html).not.toContain('<script>');
  });

  it('splits a long reply on paragraph boundaries, with citation and buttons on the last part', () => {
    const para = (n: number) => `${String(n).repeat(5)} ${'word '.repeat(300).trim()}`;
    const text = [1, 2, 3, 4, 5].map(para).join('\n\n');
    const parts = renderReplies([{ text, section: 'Jūsu tiesības', buttons: [[{ label: 'More', data: 'a:x' }]] }]);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) expect(p.html.length).toBeLessThanOrEqual(MESSAGE_LIMIT);
    // Each part starts at a paragraph start: no paragraph is cut in two.
    for (const p of parts) expect(p.html).toMatch(/^(\d)\1{4} /);
    expect(parts.slice(0, -1).every((p) => !p.keyboard && !p.html.includes('<i>'))).toBe(true);
    expect(parts.at(-1)!.keyboard).toEqual([[{ text: 'More', callback_data: 'a:x' }]]);
    expect(parts.at(-1)!.html).toContain('<i>Jūsu tiesības</i>');
  });

  it('drops buttons Telegram would refuse instead of failing the message', () => {
    const [m] = renderReplies([
      {
        text: 'x',
        buttons: [
          [
            { label: 'ok', data: 'a:1' },
            { label: 'long', data: 'a:'.padEnd(65, 'z') },
          ],
          [{ label: ' ', data: 'a:2' }],
        ],
      },
    ]);
    expect(m!.keyboard).toEqual([[{ text: 'ok', callback_data: 'a:1' }]]);
  });

  it('never sends an empty message', () => {
    expect(renderReplies([{ text: '   ' }])).toEqual([]);
    expect(renderReplies([{ text: '', buttons: [[{ label: 'b', data: 'x' }]] }])[0]!.html).toBe('…');
  });

  it('split parts stay under the limit and lose no character (fuzz)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', 'ž', '<', '&', ' ', '\n', '😀', 'x'), maxLength: 3000 }),
        fc.integer({ min: 20, max: 500 }),
        (text, limit) => {
          const parts = splitEscaped(text, limit);
          for (const p of parts) expect(p.length).toBeLessThanOrEqual(limit);
          const squash = (s: string) => s.replace(/\s+/g, '');
          expect(squash(parts.map(unescape).join(''))).toBe(squash(text));
          for (const p of parts) expect(p).not.toMatch(/&(?!amp;|lt;|gt;)/);
          for (const p of parts) expect(p).not.toMatch(/[\uD800-\uDBFF]$/);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('escapeHtml escapes exactly the three characters Telegram HTML needs', () => {
    expect(escapeHtml(`<a href="x">&'`)).toBe(`&lt;a href="x"&gt;&amp;'`);
  });
});
