import type { Button, Reply } from '../../core/types.js';
import {
  instagramPayload,
  LIMITS,
  messengerPayload,
  shorten,
  splitText,
  utf8Bytes,
  whatsappPayload,
  type SendApiPayload,
  type WhatsAppPayload,
} from './limits.js';

/** How a Send API message goes out: an answer within the window, an update, or a human agent's tagged reply. */
export type Messaging = { messaging_type: 'RESPONSE' | 'UPDATE' } | { messaging_type: 'MESSAGE_TAG'; tag: 'HUMAN_AGENT' };

/** Words the renderer needs in the chat's language (WhatsApp's list button, a second list's heading, the rating's question). */
export interface RenderWords {
  choose: string;
  more: string;
  rate: string;
}

/** The policy section as a citation line under the answer, as on Telegram. */
function withCitation(reply: Reply): string {
  return reply.section ? `${reply.text.trim()}\n\n📄 ${reply.section}` : reply.text;
}

/** Buttons in reading order, without blank labels or duplicate payloads. */
function choices(reply: Reply): Button[] {
  const seen = new Set<string>();
  return (reply.buttons ?? []).flat().filter((b) => {
    if (!b.label.trim() || !b.data || seen.has(b.data)) return false;
    seen.add(b.data);
    return true;
  });
}

/**
 * Replies → Send API payloads (Messenger: 2,000 characters; Instagram: 1,000 UTF-8 bytes). Buttons
 * become quick replies (at most 13, titles cut to 20) on the reply's last message. Every payload
 * is checked against the limit schemas.
 */
export function renderSendApi(channel: 'messenger' | 'instagram', to: string, replies: Reply[], messaging: Messaging): SendApiPayload[] {
  const [schema, parts] =
    channel === 'messenger'
      ? [messengerPayload, (t: string) => splitText(t, LIMITS.messengerText)]
      : [instagramPayload, (t: string) => splitText(t, LIMITS.instagramBytes, utf8Bytes)];
  const out: SendApiPayload[] = [];
  for (const reply of replies) {
    const texts = parts(withCitation(reply));
    const buttons = choices(reply).slice(0, LIMITS.quickReplies);
    if (!texts.length && buttons.length) texts.push('…');
    texts.forEach((text, i) => {
      const last = i === texts.length - 1;
      const quick_replies =
        last && buttons.length
          ? buttons.map((b) => ({
              content_type: 'text' as const,
              title: shorten(b.label, LIMITS.quickReplyTitle),
              payload: b.data.slice(0, LIMITS.payload),
            }))
          : undefined;
      out.push(schema.parse({ recipient: { id: to }, ...messaging, message: { text, ...(quick_replies ? { quick_replies } : {}) } }));
    });
  }
  return out;
}

/**
 * Replies → WhatsApp payloads: text up to 4,096 characters; up to 3 choices as reply buttons
 * (titles cut to 20), 4–10 as a list (rows cut to 24, the full label as the row's description),
 * more than 10 as several lists. An interactive body holds 1,024 characters, so a long answer
 * goes first as text and its last part carries the buttons. The 👍/👎 rating keeps reply buttons of
 * its own when the other choices need a list: one tap, not hidden in it.
 */
export function renderWhatsApp(to: string, replies: Reply[], words: RenderWords): WhatsAppPayload[] {
  const base = { messaging_product: 'whatsapp' as const, recipient_type: 'individual' as const, to };
  const out: WhatsAppPayload[] = [];
  const push = (p: unknown): void => void out.push(whatsappPayload.parse(p));
  const text = (body: string): void => push({ ...base, type: 'text', text: { body, preview_url: false } });
  for (const reply of replies) {
    const all = choices(reply);
    const rating = all.filter((b) => b.icon);
    const others = all.filter((b) => !b.icon);
    const apart = all.length > LIMITS.replyButtons && others.length && rating.length <= LIMITS.replyButtons ? rating : [];
    const buttons = apart.length ? others : all;
    const texts = splitText(withCitation(reply), LIMITS.whatsappText);
    if (!buttons.length) {
      texts.forEach(text);
      continue;
    }
    const bodies = splitText(texts.pop() ?? '…', LIMITS.whatsappBody);
    const body = bodies.pop() ?? '…';
    [...texts, ...bodies].forEach(text);
    for (let i = 0; i < buttons.length; i += LIMITS.listRows) {
      const group = buttons.slice(i, i + LIMITS.listRows);
      const heading = i === 0 ? body : words.more;
      push(group.length <= LIMITS.replyButtons ? replyButtons(base, heading, group) : list(base, heading, group, words.choose));
    }
    if (apart.length) push(replyButtons(base, words.rate, apart));
  }
  return out;
}

function replyButtons(base: object, body: string, buttons: Button[]): unknown {
  return {
    ...base,
    type: 'interactive',
    interactive: {
      type: 'button',
      body: { text: body },
      action: {
        buttons: buttons.map((b) => ({
          type: 'reply',
          reply: { id: b.data.slice(0, LIMITS.buttonId), title: shorten(b.label, LIMITS.buttonTitle) },
        })),
      },
    },
  };
}

function list(base: object, body: string, buttons: Button[], choose: string): unknown {
  const rows = buttons.map((b) => {
    const label = b.label.replace(/\s+/g, ' ').trim();
    const title = shorten(label, LIMITS.rowTitle);
    // The row title is short; the description shows the rest of a long label.
    return { id: b.data.slice(0, LIMITS.rowId), title, ...(title !== label ? { description: shorten(label, LIMITS.rowDescription) } : {}) };
  });
  return {
    ...base,
    type: 'interactive',
    interactive: { type: 'list', body: { text: body }, action: { button: shorten(choose, LIMITS.listButton), sections: [{ rows }] } },
  };
}

/** The approved template that invites a customer back after WhatsApp's 24-hour window. */
export function reengageTemplate(to: string, name: string, lang: 'lv' | 'en'): WhatsAppPayload {
  return whatsappPayload.parse({
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to,
    type: 'template',
    template: { name, language: { code: lang } },
  });
}
