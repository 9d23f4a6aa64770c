import type { Update } from 'grammy/types';
import type { Incoming } from '../../core/types.js';

/** Message kinds the bot cannot read; each gets a polite text-only answer. */
const UNSUPPORTED = [
  'sticker',
  'photo',
  'voice',
  'video',
  'video_note',
  'audio',
  'animation',
  'document',
  'location',
  'contact',
  'poll',
  'dice',
  'venue',
] as const;

/** A Telegram update → the core's Incoming, or null for updates the bot ignores (edits, joins, channel posts). */
export function toIncoming(update: Update): Incoming | null {
  const cb = update.callback_query;
  if (cb) {
    if (cb.data === undefined) return null;
    const chatId = cb.message?.chat.id ?? cb.from.id;
    return { channel: 'telegram', userId: String(cb.from.id), chatId: String(chatId), button: cb.data, ...locale(cb.from.language_code) };
  }
  const msg = update.message;
  if (!msg?.from || msg.from.is_bot) return null;
  const base = {
    channel: 'telegram' as const,
    userId: String(msg.from.id),
    chatId: String(msg.chat.id),
    ...locale(msg.from.language_code),
  };
  if (typeof msg.text === 'string') return { ...base, text: msg.text };
  const kind = UNSUPPORTED.find((k) => msg[k] !== undefined);
  return kind ? { ...base, unsupported: kind } : null;
}

/** Telegram's language_code: Latvian speakers get Latvian, every other language English. */
function locale(code: string | undefined): { locale?: string } {
  if (!code) return {};
  return { locale: code.toLowerCase().startsWith('lv') ? 'lv' : 'en' };
}
