import type { InlineKeyboardButton } from 'grammy/types';
import { escapeMarkup } from '../../core/markup.js';
import type { Button, Reply } from '../../core/types.js';

/** Telegram's limit is 4096 characters per message; the margin keeps room for the citation line. */
export const MESSAGE_LIMIT = 4096;
const CITATION_ROOM = 300;

/** One sendMessage call: HTML text and, on the last part of a reply, its keyboard. */
export interface OutMessage {
  html: string;
  keyboard?: InlineKeyboardButton[][];
}

/** Replies → Telegram messages: escaped HTML, the section as an italic citation, long texts split, buttons last. */
export function renderReplies(replies: Reply[], limit = MESSAGE_LIMIT): OutMessage[] {
  return replies.flatMap((r) => renderReply(r, limit));
}

function renderReply(reply: Reply, limit: number): OutMessage[] {
  const citation = reply.section ? `\n\n📄 <i>${escapeMarkup(reply.section)}</i>` : '';
  const parts = splitEscaped(reply.text, limit - Math.min(CITATION_ROOM, citation.length)).map((html) => ({ html }) as OutMessage);
  const last = parts.at(-1);
  if (last && citation.length + last.html.length <= limit) last.html += citation;
  else parts.push({ html: citation.trimStart() });
  const keyboard = toKeyboard(reply.buttons);
  const kept = parts.filter((p) => p.html.trim());
  // Telegram refuses an empty text; a keyboard alone still needs a line to hang on.
  const end = kept.at(-1) ?? { html: keyboard ? '…' : '' };
  if (!kept.length) kept.push(end);
  if (keyboard) end.keyboard = keyboard;
  return kept.filter((p) => p.html);
}

/** Drops buttons whose callback data Telegram would refuse (over 64 bytes) rather than fail the whole message. */
function toKeyboard(rows: Button[][] | undefined): InlineKeyboardButton[][] | undefined {
  const keyboard = (rows ?? [])
    .map((row) =>
      row
        .filter((b) => b.label.trim() && Buffer.byteLength(b.data) <= 64)
        .map((b) => ({ text: b.label.slice(0, 100), callback_data: b.data })),
    )
    .filter((row) => row.length > 0);
  return keyboard.length ? keyboard : undefined;
}

/**
 * Splits plain text into escaped HTML parts of at most `limit` characters, preferring
 * paragraph, then line, then word boundaries; never cuts an escape sequence or a surrogate pair.
 */
export function splitEscaped(text: string, limit: number): string[] {
  const body = text.trim() ? text.trim() : text;
  const escaped = escapeMarkup(body);
  if (escaped.length <= limit) return [escaped];
  const parts: string[] = [];
  let current = '';
  const flush = (): void => {
    if (current.trim()) parts.push(current.trim());
    current = '';
  };
  for (const piece of pieces(body, limit)) {
    const next = current + piece;
    if (next.trim().length > limit) flush();
    current += piece;
  }
  flush();
  return parts;
}

/** Paragraphs, then lines, then words: the boundaries a long text is cut at, best first. */
const BOUNDARIES = [/(?<=\n\n)/, /(?<=\n)/, /(?<= )/];

/** Escaped pieces, each at most `limit` long, that concatenate back to the escaped text. */
function pieces(text: string, limit: number, level = 0): string[] {
  const escaped = escapeMarkup(text);
  if (escaped.length <= limit) return [escaped];
  const boundary = BOUNDARIES[level];
  return boundary ? text.split(boundary).flatMap((part) => pieces(part, limit, level + 1)) : hardCut(text, limit);
}

function hardCut(word: string, limit: number): string[] {
  const out: string[] = [];
  let current = '';
  for (const ch of word) {
    const escaped = escapeMarkup(ch);
    if (current.length + escaped.length > limit) {
      out.push(current);
      current = '';
    }
    current += escaped;
  }
  if (current) out.push(current);
  return out;
}
