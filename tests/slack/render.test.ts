import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { noteText, staffAnswer, ticketMessage, type Block } from '../../src/channels/slack/blocks.js';
import { escapeMarkup as esc } from '../../src/core/markup.js';
import { parseBody } from '../../src/channels/slack/receiver.js';
import { slackToPlain, withoutMentions } from '../../src/channels/slack/text.js';
import { loadKnowledge } from '../../src/answers/knowledge.js';
import { createI18n } from '../../src/i18n/index.js';
import type { Ticket } from '../../src/escalation/index.js';

const i18n = createI18n();
const lv = i18n.getFixedT('lv');
const kb = loadKnowledge();

/** Every mrkdwn/plain text inside a message's blocks. */
function texts(blocks: Block[]): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.text === 'string') out.push(o.text);
      Object.values(o).forEach(walk);
    }
  };
  walk(blocks);
  return out;
}

const turn = fc.record({ from: fc.constantFrom('user' as const, 'bot' as const), text: fc.string({ maxLength: 1000 }), at: fc.nat() });

describe('Slack rendering', () => {
  it('turns Slack markup into what a customer should read', () => {
    expect(slackToPlain('Skatiet <https://kilowats.lv|mūsu lapu> &amp; <mailto:dpo@kilowats.lv> vai <tel:+37112345678>')).toBe(
      'Skatiet mūsu lapu (https://kilowats.lv) & dpo@kilowats.lv vai +37112345678',
    );
    expect(slackToPlain('<@U123> lūdzu <#C1|support> 1 &lt; 2 &gt; 0')).toBe('lūdzu support 1 < 2 > 0');
    expect(withoutMentions('<@U0THUNDER> kas ir pārzinis?')).toBe('kas ir pārzinis?');
  });

  it('never leaves Slack control sequences in text for customers', () => {
    fc.assert(
      // Text an agent typed literally (Slack sends it escaped) plus one control sequence.
      fc.property(
        fc.string({ maxLength: 300 }).map((s) => s.replace(/</g, '')),
        fc.constantFrom('<@U12AB>', '<#C9|x>', '<!here>', '<https://a.lv|a>'),
        (s, token) => {
          const out = slackToPlain(`${esc(s)} ${token}`);
          expect(out).not.toMatch(/<[@#!]/);
          expect(out).toContain(
            s
              .trim()
              .replace(/[ \t]{2,}/g, ' ')
              .slice(0, 20)
              .trim(),
          );
        },
      ),
    );
  });

  it('a ticket stays within Block Kit limits whatever the conversation held', () => {
    fc.assert(
      fc.property(
        fc.array(turn, { maxLength: 10 }),
        fc.constantFrom('open' as const, 'claimed' as const, 'resolved' as const),
        (turns, status) => {
          const ticket: Ticket = {
            id: 'T-ABCDEF',
            key: 'telegram:1',
            channel: 'telegram',
            chatId: '1',
            lang: 'lv',
            status,
            createdAt: 0,
            claimedBy: 'U1',
            resolvedBy: 'U1',
            ackedAt: 0,
            left: false,
            posts: [],
            erased: false,
            turns,
          };
          const m = ticketMessage(lv, ticket, () => 'pirmdiena');
          expect(m.blocks.length).toBeLessThanOrEqual(50);
          for (const t of texts(m.blocks)) expect(t.length).toBeLessThanOrEqual(3000);
          // The newest turn is always shown (possibly cut), and buttons only while the ticket is not resolved.
          if (turns.length && turns.at(-1)!.text.length < 100)
            expect(JSON.stringify(m.blocks)).toContain(JSON.stringify(esc(turns.at(-1)!.text)).slice(1, -1));
          expect(m.blocks.some((b) => b.type === 'actions')).toBe(status !== 'resolved');
        },
      ),
      { numRuns: 200 },
    );
  });

  it('escapes customer text so it cannot ping @channel or forge links in the thread', () => {
    expect(noteText(lv, { kind: 'customer', text: '<!channel> <https://evil.example|banka>' })).toBe(
      `*${lv('slack:customer')}:* &lt;!channel&gt; &lt;https://evil.example|banka&gt;`,
    );
  });

  it('a staff answer quotes every source sentence of its entry', () => {
    for (const entry of kb.entries.values()) {
      const m = staffAnswer(lv, { intent: 'policy', lang: 'lv', entry, confidence: 0.9, suggestions: [] });
      const quote = texts(m.blocks).find((t) => t.startsWith(`*${lv('slack:policyQuote')}*`))!;
      expect(quote.split('\n').slice(1)).toEqual(entry.source.map((s) => `> ${esc(s)}`));
    }
  });

  it('parseBody never throws on arbitrary input', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 500 }),
        fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'text/plain', ''),
        (raw, type) => {
          const parsed = parseBody(type, raw);
          expect(parsed === null || typeof parsed === 'object').toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });
});
