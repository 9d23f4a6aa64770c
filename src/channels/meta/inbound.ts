import { z } from 'zod';

export const META_CHANNELS = ['messenger', 'instagram', 'whatsapp'] as const;
export type MetaChannel = (typeof META_CHANNELS)[number];

/** One message from a person, whatever the platform: what the adapter hands on. */
export interface MetaEvent {
  channel: MetaChannel;
  /** `mid` or `wamid`: Meta redelivers, this makes the second copy a no-op. */
  id: string;
  /** PSID, IGSID, or WhatsApp's business-scoped user id (else the phone number). */
  userId: string;
  /** When the person sent it (ms); events of one chat are handled in this order. */
  at: number;
  text?: string;
  /** A quick reply, postback, reply button, list row or template button payload. */
  button?: string;
  /** A message the bot cannot read (image, audio, sticker…): only its kind. */
  unsupported?: string;
}

/** A WhatsApp delivery status or error Meta reports about a message we sent: ids and codes only. */
export interface MetaNotice {
  kind: 'status' | 'error';
  status?: string;
  codes: number[];
}

export interface ParsedWebhook {
  events: MetaEvent[];
  notices: MetaNotice[];
  /** What was skipped, by type (echo, delivery, read, statuses…): counts for the log. */
  skipped: Record<string, number>;
}

// Lenient on purpose: each event is parsed on its own, unknown fields pass, and a shape we do
// not know is counted and skipped, never a 500 (Meta would redeliver the whole batch).

const envelope = z.object({ object: z.string(), entry: z.array(z.unknown()) });

const messagingEntry = z.object({ messaging: z.array(z.unknown()).optional(), standby: z.array(z.unknown()).optional() });

const messagingEvent = z.object({
  sender: z.object({ id: z.string().min(1) }),
  timestamp: z.number(),
  message: z
    .object({
      mid: z.string().min(1),
      text: z.string().optional(),
      is_echo: z.boolean().optional(),
      quick_reply: z.object({ payload: z.string() }).optional(),
      attachments: z.array(z.object({ type: z.string() })).optional(),
    })
    .optional(),
  postback: z.object({ payload: z.string(), mid: z.string().optional() }).optional(),
});

const waChange = z.object({ field: z.string(), value: z.unknown() });
const waEntry = z.object({ changes: z.array(z.unknown()) });
const waError = z.object({ code: z.number() });
const waValue = z.object({
  contacts: z.array(z.object({ wa_id: z.string().optional(), user_id: z.string().optional() })).optional(),
  messages: z.array(z.unknown()).optional(),
  statuses: z.array(z.unknown()).optional(),
  errors: z.array(z.unknown()).optional(),
});
const waMessage = z.object({
  id: z.string().min(1),
  from: z.string().optional(),
  from_user_id: z.string().optional(),
  timestamp: z.coerce.number(),
  type: z.string(),
  text: z.object({ body: z.string() }).optional(),
  interactive: z
    .object({
      type: z.string(),
      button_reply: z.object({ id: z.string() }).optional(),
      list_reply: z.object({ id: z.string() }).optional(),
    })
    .optional(),
  button: z.object({ payload: z.string().optional(), text: z.string().optional() }).optional(),
});
const waStatus = z.object({ status: z.string(), errors: z.array(waError).optional() });

/** WhatsApp kinds with nothing for the bot: reactions, system notices, deleted messages. */
const WA_SKIPPED = new Set(['reaction', 'system', 'unsupported', 'ephemeral', 'request_welcome']);

/** Splits a verified webhook body into the people's messages and the notices about ours. */
export function parseWebhook(body: unknown): ParsedWebhook {
  const out: ParsedWebhook = { events: [], notices: [], skipped: {} };
  const skip = (what: string): void => {
    out.skipped[what] = (out.skipped[what] ?? 0) + 1;
  };
  const env = envelope.safeParse(body);
  if (!env.success) {
    skip('envelope');
    return out;
  }
  const { object, entry } = env.data;
  if (object === 'page' || object === 'instagram') {
    const channel = object === 'page' ? 'messenger' : 'instagram';
    for (const raw of entry) {
      const e = messagingEntry.safeParse(raw);
      if (!e.success) {
        skip('entry');
        continue;
      }
      // Standby: another app holds the thread (handover protocol); it answers, not us.
      if (e.data.standby?.length) skip('standby');
      for (const ev of e.data.messaging ?? []) messaging(channel, ev, out, skip);
    }
    return out;
  }
  if (object === 'whatsapp_business_account') {
    for (const raw of entry) {
      const e = waEntry.safeParse(raw);
      if (!e.success) {
        skip('entry');
        continue;
      }
      for (const rawChange of e.data.changes) whatsapp(rawChange, out, skip);
    }
    return out;
  }
  skip(`object:${object.slice(0, 40)}`);
  return out;
}

function messaging(channel: 'messenger' | 'instagram', raw: unknown, out: ParsedWebhook, skip: (what: string) => void): void {
  const parsed = messagingEvent.safeParse(raw);
  if (!parsed.success) return skip(kindOf(raw));
  const { sender, timestamp, message, postback } = parsed.data;
  const base = { channel, userId: sender.id, at: timestamp };
  if (message) {
    if (message.is_echo) return skip('echo');
    if (message.quick_reply) return void out.events.push({ ...base, id: message.mid, button: message.quick_reply.payload });
    if (message.text?.trim()) return void out.events.push({ ...base, id: message.mid, text: message.text });
    const kind = message.attachments?.[0]?.type;
    return void out.events.push({ ...base, id: message.mid, unsupported: kind ?? 'unknown' });
  }
  if (postback) {
    // Older postbacks carry no mid: the sender and the millisecond identify the press.
    return void out.events.push({ ...base, id: postback.mid ?? `pb:${sender.id}:${timestamp}`, button: postback.payload });
  }
  skip(kindOf(raw));
}

/** The event's kind for the log: its first field beyond the envelope (delivery, read, reaction…). */
function kindOf(raw: unknown): string {
  if (!raw || typeof raw !== 'object') return 'invalid';
  const key = Object.keys(raw).find((k) => !['sender', 'recipient', 'timestamp'].includes(k));
  return (key ?? 'empty').slice(0, 40);
}

function whatsapp(raw: unknown, out: ParsedWebhook, skip: (what: string) => void): void {
  const change = waChange.safeParse(raw);
  if (!change.success) return skip('change');
  if (change.data.field !== 'messages') return skip(`field:${change.data.field.slice(0, 40)}`);
  const value = waValue.safeParse(change.data.value);
  if (!value.success) return skip('value');
  const { contacts = [], messages = [], statuses = [], errors = [] } = value.data;
  for (const rawError of errors) {
    const e = waError.safeParse(rawError);
    out.notices.push({ kind: 'error', codes: e.success ? [e.data.code] : [] });
  }
  for (const rawStatus of statuses) {
    const s = waStatus.safeParse(rawStatus);
    if (!s.success) skip('status');
    else out.notices.push({ kind: 'status', status: s.data.status, codes: (s.data.errors ?? []).map((e) => e.code) });
  }
  for (const rawMessage of messages) {
    const m = waMessage.safeParse(rawMessage);
    if (!m.success) {
      skip('message');
      continue;
    }
    const msg = m.data;
    // The business-scoped user id is the stable key (users with a username may send no number).
    const contact =
      contacts.find(
        (c) => (c.wa_id !== undefined && c.wa_id === msg.from) || (c.user_id !== undefined && c.user_id === msg.from_user_id),
      ) ?? (contacts.length === 1 ? contacts[0] : undefined);
    const userId = msg.from_user_id ?? contact?.user_id ?? msg.from ?? contact?.wa_id;
    if (!userId) {
      skip('no-sender');
      continue;
    }
    const base = { channel: 'whatsapp' as const, id: msg.id, userId, at: msg.timestamp * 1000 };
    if (WA_SKIPPED.has(msg.type)) skip(msg.type);
    else if (msg.type === 'text' && msg.text?.body.trim()) out.events.push({ ...base, text: msg.text.body });
    else if (msg.type === 'interactive') {
      const id = msg.interactive?.button_reply?.id ?? msg.interactive?.list_reply?.id;
      if (id) out.events.push({ ...base, button: id });
      else skip(`interactive:${msg.interactive?.type ?? 'unknown'}`);
    } else if (msg.type === 'button') {
      // A template's quick-reply button: its payload when set, else the words on it.
      const { payload, text } = msg.button ?? {};
      if (payload) out.events.push({ ...base, button: payload });
      else if (text?.trim()) out.events.push({ ...base, text });
      else skip('button');
    } else out.events.push({ ...base, unsupported: msg.type.slice(0, 40) });
  }
}
