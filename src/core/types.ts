import type { Lang } from '../domain.js';

export type { Lang };
export const CHANNELS = ['telegram', 'slack', 'web', 'messenger', 'instagram', 'whatsapp'] as const;
export type Channel = (typeof CHANNELS)[number];

/** What a channel adapter hands the core: nothing platform-specific. */
export interface Incoming {
  channel: Channel;
  /** Channel-scoped user id (Telegram user id, Slack user id, web session id). */
  userId: string;
  /** Where replies go (Telegram chat id, Slack channel/DM id, web session id). */
  chatId: string;
  text?: string;
  /** Callback data of a pressed button. */
  button?: string;
  /** A message the bot cannot read (sticker, photo, voice, file…). */
  unsupported?: string;
  /** The platform's language hint (Telegram `language_code`, browser language). */
  locale?: string;
}

export interface Button {
  label: string;
  /** Opaque callback data, at most 64 bytes (Telegram's limit). */
  data: string;
  /** A rating button: channels that draw icons (the web page) show this one instead of the label. */
  icon?: 'up' | 'down';
}

/** What the core hands back; adapters only render it. */
export interface Reply {
  text: string;
  /** Policy section title the answer comes from, shown as a citation. */
  section?: string;
  /** Verbatim policy sentences the answer rests on (shown to staff). */
  quote?: string[];
  /** Rows of buttons. */
  buttons?: Button[][];
  /** What the bot waits for next (a form step: name, contact, details), so a channel can hint the input. */
  input?: string;
  /** The longest answer that step takes, when it is shorter than a message may be (a request's details). */
  maxChars?: number;
  /** Written by a person (a support agent), not by the bot: Meta lets only such text out after its 24-hour window. */
  human?: boolean;
  /** The knowledge-base entry this reply answers (answer feedback reads it; channels do not show it). */
  entry?: string;
}

/** Sends replies to a chat outside a request/response turn (relayed agent replies, request updates). */
export interface Sender {
  send(chatId: string, replies: Reply[]): Promise<void>;
}
