import { z } from 'zod';

/**
 * Meta's limits as strict zod schemas for every payload Thunder sends, so an over-long button
 * fails in a test instead of at Meta (which refuses the whole message). Sources in
 * ../shared/notes/meta-channels.md (A2). "Characters" are UTF-16 units here: never fewer than
 * Meta's count, so staying under them stays under Meta's.
 */
export const LIMITS = {
  messengerText: 2000,
  /** Instagram counts UTF-8 bytes: a Latvian letter with a diacritic takes two. */
  instagramBytes: 1000,
  whatsappText: 4096,
  whatsappBody: 1024,
  quickReplies: 13,
  quickReplyTitle: 20,
  payload: 1000,
  replyButtons: 3,
  buttonTitle: 20,
  buttonId: 256,
  listRows: 10,
  rowTitle: 24,
  rowDescription: 72,
  rowId: 200,
  listButton: 20,
} as const;

export const utf8Bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** User-perceived characters: an emoji with modifiers or a letter with a combining mark stays whole. */
export function graphemes(s: string): string[] {
  return Array.from(segmenter.segment(s), (g) => g.segment);
}

/** A label cut to at most `max` characters between graphemes, ending with "…" when cut. */
export function shorten(label: string, max: number): string {
  const text = label.replace(/\s+/g, ' ').trim();
  if (text.length <= max) return text;
  let out = '';
  for (const g of graphemes(text)) {
    if (out.length + g.length + 1 > max) break;
    out += g;
  }
  return `${out.trimEnd()}…`;
}

/** Paragraphs, then lines, then words: where a long text is cut, best first. */
const BOUNDARIES = [/(?<=\n\n)/, /(?<=\n)/, /(?<= )/];

/**
 * Splits text into trimmed parts of at most `limit` by `measure` (characters or bytes),
 * preferring paragraph, line and word boundaries; never cuts a grapheme.
 */
export function splitText(text: string, limit: number, measure: (s: string) => number = (s) => s.length): string[] {
  const body = text.trim();
  if (!body) return [];
  if (measure(body) <= limit) return [body];
  const parts: string[] = [];
  let current = '';
  const flush = (): void => {
    const t = current.trim();
    if (t) parts.push(t);
    current = '';
  };
  for (const piece of pieces(body, limit, measure, 0)) {
    if (measure((current + piece).trim()) > limit) flush();
    current += piece;
  }
  flush();
  return parts;
}

function pieces(text: string, limit: number, measure: (s: string) => number, level: number): string[] {
  if (measure(text) <= limit) return [text];
  const boundary = BOUNDARIES[level];
  if (boundary) return text.split(boundary).flatMap((part) => pieces(part, limit, measure, level + 1));
  const out: string[] = [];
  let current = '';
  for (const g of graphemes(text)) {
    if (current && measure(current + g) > limit) {
      out.push(current);
      current = '';
    }
    current += g;
  }
  if (current) out.push(current);
  return out;
}

const nonBlank = (max: number) =>
  z
    .string()
    .max(max)
    .refine((s) => s.trim() !== '', 'must not be blank');

// ---- Messenger and Instagram: the Send API -------------------------------------------------

const quickReply = z
  .object({ content_type: z.literal('text'), title: nonBlank(LIMITS.quickReplyTitle), payload: z.string().min(1).max(LIMITS.payload) })
  .strict();

function sendApi(text: z.ZodType<string>) {
  return z
    .object({
      recipient: z.object({ id: z.string().min(1) }).strict(),
      messaging_type: z.enum(['RESPONSE', 'UPDATE', 'MESSAGE_TAG']),
      tag: z.literal('HUMAN_AGENT').optional(),
      message: z.object({ text, quick_replies: z.array(quickReply).min(1).max(LIMITS.quickReplies).optional() }).strict(),
    })
    .strict()
    .refine(
      (p) => (p.messaging_type === 'MESSAGE_TAG') === (p.tag !== undefined),
      'a tag goes with messaging_type MESSAGE_TAG, and only with it',
    );
}

export const messengerPayload = sendApi(nonBlank(LIMITS.messengerText));
export const instagramPayload = sendApi(
  z
    .string()
    .refine((s) => s.trim() !== '', 'must not be blank')
    .refine((s) => utf8Bytes(s) <= LIMITS.instagramBytes, `at most ${LIMITS.instagramBytes} UTF-8 bytes`),
);
export type SendApiPayload = z.infer<typeof messengerPayload>;

// ---- WhatsApp Cloud API ---------------------------------------------------------------------

const waBase = { messaging_product: z.literal('whatsapp'), recipient_type: z.literal('individual'), to: z.string().min(1) };

const waText = z
  .object({
    ...waBase,
    type: z.literal('text'),
    text: z.object({ body: nonBlank(LIMITS.whatsappText), preview_url: z.literal(false) }).strict(),
  })
  .strict();

const waButtons = z
  .object({
    ...waBase,
    type: z.literal('interactive'),
    interactive: z
      .object({
        type: z.literal('button'),
        body: z.object({ text: nonBlank(LIMITS.whatsappBody) }).strict(),
        action: z
          .object({
            buttons: z
              .array(
                z
                  .object({
                    type: z.literal('reply'),
                    reply: z.object({ id: z.string().min(1).max(LIMITS.buttonId), title: nonBlank(LIMITS.buttonTitle) }).strict(),
                  })
                  .strict(),
              )
              .min(1)
              .max(LIMITS.replyButtons)
              .refine((bs) => new Set(bs.map((b) => b.reply.id)).size === bs.length, 'button ids must be unique'),
          })
          .strict(),
      })
      .strict(),
  })
  .strict();

const row = z
  .object({
    id: z.string().min(1).max(LIMITS.rowId),
    title: nonBlank(LIMITS.rowTitle),
    description: nonBlank(LIMITS.rowDescription).optional(),
  })
  .strict();

const waList = z
  .object({
    ...waBase,
    type: z.literal('interactive'),
    interactive: z
      .object({
        type: z.literal('list'),
        body: z.object({ text: nonBlank(LIMITS.whatsappBody) }).strict(),
        action: z
          .object({
            button: nonBlank(LIMITS.listButton),
            sections: z
              .array(z.object({ rows: z.array(row).min(1) }).strict())
              .min(1)
              .max(10),
          })
          .strict()
          .refine((a) => a.sections.flatMap((s) => s.rows).length <= LIMITS.listRows, `at most ${LIMITS.listRows} rows in all`)
          .refine((a) => {
            const ids = a.sections.flatMap((s) => s.rows.map((r) => r.id));
            return new Set(ids).size === ids.length;
          }, 'row ids must be unique'),
      })
      .strict(),
  })
  .strict();

const waTemplate = z
  .object({
    ...waBase,
    type: z.literal('template'),
    template: z.object({ name: z.string().regex(/^[a-z0-9_]{1,512}$/), language: z.object({ code: z.string().min(2) }).strict() }).strict(),
  })
  .strict();

export const whatsappPayload = z.union([waText, waButtons, waList, waTemplate]);
export type WhatsAppPayload = z.infer<typeof whatsappPayload>;
