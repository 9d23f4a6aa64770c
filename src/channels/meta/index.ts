import { Hono } from 'hono';
import type { i18n } from 'i18next';
import type { Logger } from 'pino';
import { type DeliveryError, ErrorCode, errorInfo, ThunderError } from '../../core/errors.js';
import type { CoreEmitter } from '../../core/events.js';
import type { Feature } from '../../core/feature.js';
import type { Session } from '../../core/session.js';
import type { Incoming, Reply } from '../../core/types.js';
import { DAY_MS, type Lang } from '../../domain.js';
import type { DeskNote, Escalation } from '../../escalation/index.js';
import type { Space } from '../../state/port.js';
import type { Queue } from '../../state/queue.js';
import { limitBody } from '../../http/json.js';
import { GraphClient, type GraphFailure, isGraphRefusal } from './graph.js';
import { parseWebhook, type MetaChannel, type MetaEvent } from './inbound.js';
import { renderSendApi, renderWhatsApp, reengageTemplate, type Messaging, type RenderWords } from './render.js';
import { ChatSequencer } from './sequencer.js';
import { verifySignature } from './signature.js';
import { windowFor } from './window.js';

/** Meta redelivers for up to a week (WhatsApp); a message id is remembered that long. */
export const SEEN_MS = 7 * DAY_MS;
/** Meta's webhook bodies are a few KB; batches stay far below this. */
const MAX_BODY_BYTES = 1024 * 1024;

export interface MetaOptions {
  appSecret: string;
  verifyToken: string;
  /** Messenger and Instagram (the Page's token); either channel family may be off. */
  pageToken: string | undefined;
  whatsapp: { token: string; phoneNumberId: string } | undefined;
  /** META_GRAPH_URL: the versioned Graph base. */
  graphUrl: string;
  humanAgentTag: boolean;
  reengageTemplate: string | undefined;
  orderWindowMs: number;
  /** META_RESCUE_MS: how long a received message may wait for its answer before another instance takes it. */
  rescueMs: number;
  defaultLang: Lang;
  /** The core's turn: a message in, its replies out. */
  handle(msg: Incoming): Promise<Reply[]>;
  /** A customer's stored session, to read its language and open ticket. */
  session(key: string): Promise<Session | undefined>;
  /** Tickets, and the desk note when a customer can't be reached. */
  escalation: Escalation;
  /** The durable job queue: retried sends wait there, in order per chat. */
  queue: Queue;
  /** First retry of a refused send (RELAY_RETRY_BASE_MS); doubles per attempt. */
  retryBaseMs: number;
  i18n: i18n;
  events: CoreEmitter;
  log: Logger;
  /** Message ids seen (TTL SEEN_MS). */
  seen: Space<number>;
  /** When each chat last wrote (the start of its 24-hour window). */
  lastInbound: Space<number>;
  /** Agent replies waiting behind WhatsApp's re-engagement template. */
  held: Space<Reply[]>;
}

/** The queue's job kind for a send that Meta refused for now. */
const SEND = 'meta.send';
/**
 * The queue's job kind for a received message, written before Meta gets its 200: this instance
 * answers it at once and drops the job; only if it dies first does the job come due and another
 * instance answer.
 */
const RECEIVED = 'meta.received';

/** One queued send: a single Graph payload, so a retry never repeats the parts that went out. */
interface SendJob {
  channel: MetaChannel;
  chatId: string;
  payload: unknown;
  human: boolean;
}

/**
 * Facebook Messenger, Instagram Direct and WhatsApp through Meta's one webhook (`/meta/webhook`)
 * and the Graph API.
 */
export function createMeta(opts: MetaOptions): Feature {
  const { escalation, queue, events, log, lastInbound, held } = opts;
  const graph = new GraphClient({ baseUrl: opts.graphUrl });
  const tokens: Partial<Record<MetaChannel, string>> = {
    ...(opts.pageToken ? { messenger: opts.pageToken, instagram: opts.pageToken } : {}),
    ...(opts.whatsapp ? { whatsapp: opts.whatsapp.token } : {}),
  };
  const on = (Object.keys(tokens) as MetaChannel[]).sort();
  const seen = firstSeen(opts.seen);
  /** Channels whose token Meta called expired (190): /readyz is down until a send succeeds again. */
  const expired = new Set<MetaChannel>();
  /** Sends per chat waiting in the durable queue: later messages queue behind them to keep order. */
  const queued = new Map<string, number>();
  const keywords = keywordMap(opts.i18n);
  const policy = { humanAgentTag: opts.humanAgentTag, reengageTemplate: Boolean(opts.reengageTemplate) };
  const words = (lang: Lang): RenderWords => ({
    choose: opts.i18n.t('meta:choose', { lng: lang }),
    more: opts.i18n.t('meta:more', { lng: lang }),
    rate: opts.i18n.t('meta:rate', { lng: lang }),
  });
  const langOf = async (key: string): Promise<Lang> => (await opts.session(key))?.lang ?? opts.defaultLang;

  /** Stored messages this instance's sequencer still holds: their rescue job must not answer them too. */
  const holding = new Set<string>();
  const sequencer = new ChatSequencer<MetaEvent & { job: string }>(
    async ({ job, ...ev }) => {
      try {
        await handleEvent(ev);
        await queue.remove(job);
      } finally {
        holding.delete(job);
      }
    },
    (err) => log.error({ err: errorInfo(err) }, 'meta: message failed'),
    opts.orderWindowMs,
  );
  queue.define(RECEIVED, {
    handle: async (data, job) => {
      if (holding.has(job.id))
        throw new ThunderError(ErrorCode.LockBusy, 'meta: the message is still being answered here', { retryable: true });
      await handleEvent(data as MetaEvent);
    },
  });

  async function handleEvent(ev: MetaEvent): Promise<void> {
    const key = `${ev.channel}:${ev.userId}`;
    // The window runs from when the customer wrote; a sender's clock ahead of ours must not stretch it.
    await lastInbound.set(key, Math.min(ev.at, Date.now()));
    const waiting = ev.channel === 'whatsapp' ? await held.get(key) : undefined;
    if (waiting?.length) {
      await held.delete(key);
      await deliver(ev.channel, ev.userId, waiting, 'response');
    }
    const replies = await opts.handle(toIncoming(ev, keywords));
    await deliver(ev.channel, ev.userId, replies, 'response');
  }

  /**
   * Sends replies to a chat, deciding first what the 24-hour window allows: within it, anything;
   * after it, only a person's reply — tagged HUMAN_AGENT on Messenger/Instagram (up to 7 days, when
   * enabled), or held behind the approved template on WhatsApp. Otherwise the desk is told.
   */
  async function deliver(channel: MetaChannel, chatId: string, replies: Reply[], turn: 'response' | 'push'): Promise<void> {
    if (!replies.length) return;
    const key = `${channel}:${chatId}`;
    const human = replies.every((r) => r.human === true);
    let messaging: Messaging = { messaging_type: 'RESPONSE' };
    if (turn === 'push') {
      const window = windowFor(channel, await lastInbound.get(key), Date.now(), human, policy);
      if (window === 'template' && opts.reengageTemplate) return reengage(chatId, opts.reengageTemplate, replies);
      if (window === 'closed') return closed(channel, chatId, human, 'window');
      messaging = window === 'human-agent' ? { messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' } : { messaging_type: 'UPDATE' };
    }
    const payloads =
      channel === 'whatsapp'
        ? renderWhatsApp(chatId, replies, await wordsFor(key, replies))
        : renderSendApi(channel, chatId, replies, messaging);
    for (let i = 0; i < payloads.length; i++) {
      if (queued.get(key)) return enqueue(payloads.slice(i).map((payload) => ({ channel, chatId, payload, human })));
      try {
        await post(channel, payloads[i]);
      } catch (err) {
        if (isGraphRefusal(err) && !err.retryable) return failed(channel, chatId, human, err);
        log.warn({ channel, err: errorInfo(err) }, 'meta: send failed, queued for retry');
        events.emit('delivery.failed', { channel, reason: 'retry' });
        return enqueue(payloads.slice(i).map((payload) => ({ channel, chatId, payload, human })));
      }
    }
  }

  async function wordsFor(key: string, replies: Reply[]): Promise<RenderWords> {
    // Only a list needs words of its own, so the session is read only then.
    const needs = replies.some((r) => (r.buttons ?? []).flat().length > 3);
    return words(needs ? await langOf(key) : opts.defaultLang);
  }

  async function post(channel: MetaChannel, payload: unknown): Promise<void> {
    const path = channel === 'whatsapp' ? `/${opts.whatsapp?.phoneNumberId}/messages` : '/me/messages';
    await graph.post(channel, path, tokens[channel] ?? '', payload);
    expired.delete(channel);
  }

  async function enqueue(jobs: SendJob[]): Promise<void> {
    for (const job of jobs) {
      const key = `${job.channel}:${job.chatId}`;
      queued.set(key, (queued.get(key) ?? 0) + 1);
      await queue.add(SEND, job, { group: `meta:${key}` });
    }
  }

  queue.define(SEND, {
    baseDelayMs: opts.retryBaseMs,
    handle: async (data) => {
      const job = data as SendJob;
      const key = `${job.channel}:${job.chatId}`;
      try {
        await post(job.channel, job.payload);
      } catch (err) {
        if (!isGraphRefusal(err) || err.retryable) {
          events.emit('delivery.failed', { channel: job.channel, reason: 'retry' });
          throw err;
        }
        await failed(job.channel, job.chatId, job.human, err);
      }
      const left = (queued.get(key) ?? 1) - 1;
      if (left > 0) queued.set(key, left);
      else queued.delete(key);
    },
  });

  async function failed(
    channel: MetaChannel,
    chatId: string,
    human: boolean,
    err: DeliveryError & { reason: GraphFailure },
  ): Promise<void> {
    events.emit('delivery.failed', { channel, reason: err.reason });
    if (err.reason === 'window' || err.reason === 'unreachable')
      return closed(channel, chatId, human, err.reason === 'window' ? 'window' : 'unavailable');
    if (err.reason === 'token') {
      expired.add(channel);
      log.error(
        { channel, code: err.platform.code },
        `meta: the ${channel === 'whatsapp' ? 'WHATSAPP_TOKEN' : 'MESSENGER_PAGE_TOKEN'} expired or was revoked; set a new one and restart`,
      );
      return;
    }
    log.error(
      { channel, status: err.platform.status, code: err.platform.code, subcode: err.platform.subcode },
      'meta: Graph API refused a message; not retried',
    );
  }

  /**
   * The customer cannot get this message. A person's reply: the agent is told in the thread. The
   * bot's own notices while an agent has the conversation are dropped; anything else hands the
   * conversation to the desk with a note.
   */
  async function closed(channel: MetaChannel, chatId: string, human: boolean, reason: 'window' | 'unavailable'): Promise<void> {
    const key = `${channel}:${chatId}`;
    if (!human) {
      const ticketId = (await opts.session(key))?.ticketId;
      const ticket = ticketId ? await escalation.tickets.get(ticketId) : undefined;
      if (ticket && ticket.status !== 'resolved')
        return void log.info({ channel, reason }, 'meta: bot notice not delivered while an agent has the chat');
    }
    log.info({ channel, reason }, 'meta: customer unreachable, handed to the desk');
    await escalation.unreachable({ key, channel, chatId, lang: opts.defaultLang }, note(channel, reason));
  }

  async function reengage(chatId: string, template: string, replies: Reply[]): Promise<void> {
    const key = `whatsapp:${chatId}`;
    const lang = await langOf(key);
    try {
      await post('whatsapp', reengageTemplate(chatId, template, lang));
    } catch (err) {
      if (isGraphRefusal(err) && !err.retryable) return failed('whatsapp', chatId, true, err);
      throw err;
    }
    await held.set(key, [...((await held.get(key)) ?? []), ...replies]);
    await escalation.unreachable({ key, channel: 'whatsapp', chatId, lang }, note('whatsapp', 'reengaged'));
  }

  const routes = new Hono();
  routes.get('/webhook', (c) => {
    // Meta's subscription handshake: no signature on GET, only the verify token.
    const ok = c.req.query('hub.mode') === 'subscribe' && c.req.query('hub.verify_token') === opts.verifyToken;
    const challenge = c.req.query('hub.challenge');
    if (!ok || !challenge) return c.text('', 403);
    return c.text(challenge, 200);
  });
  routes.post('/webhook', limitBody(MAX_BODY_BYTES), async (c) => {
    const raw = new Uint8Array(await c.req.arrayBuffer());
    const signature = c.req.header('x-hub-signature-256');
    if (!signature) return c.text('', 401);
    if (!verifySignature(raw, signature, opts.appSecret)) {
      log.warn('meta: webhook with a bad signature refused');
      return c.text('', 403);
    }
    let body: unknown;
    try {
      body = JSON.parse(new TextDecoder().decode(raw));
    } catch {
      return c.text('', 400);
    }
    const parsed = parseWebhook(body);
    const [expected, unknown] = partition(parsed.skipped);
    if (expected) log.debug({ skipped: expected }, 'meta: events skipped');
    if (unknown) log.info({ skipped: unknown }, 'meta: events of unknown kinds skipped');
    for (const n of parsed.notices) {
      if (n.kind === 'error' || n.status === 'failed')
        log.warn({ kind: n.kind, status: n.status, codes: n.codes }, 'meta: WhatsApp reports a failed message');
    }
    // Answered once the messages are stored, before they are handled: a slow answer never makes
    // Meta redeliver, and a crash after the 200 loses nothing.
    try {
      await intake(parsed.events.filter((ev) => tokens[ev.channel]));
    } catch (err) {
      log.error({ err: errorInfo(err) }, 'meta: messages not stored; Meta will redeliver');
      return c.text('', 503);
    }
    return c.text('EVENT_RECEIVED', 200);
  });

  /** Each message id once (Meta redelivers, also after a 200), stored, then handled in order per chat. */
  async function intake(list: MetaEvent[]): Promise<void> {
    const fresh = await Promise.all(list.map((ev) => seen(`${ev.channel}:${ev.id}`)));
    for (const ev of list.filter((_, i) => fresh[i])) {
      const key = `${ev.channel}:${ev.userId}`;
      let job: string;
      try {
        job = await queue.add(RECEIVED, ev, { group: `meta-in:${key}`, delayMs: opts.rescueMs });
      } catch (err) {
        // Unmarked, so Meta's redelivery is taken as new.
        await opts.seen.delete(`${ev.channel}:${ev.id}`).catch(() => false);
        throw err;
      }
      holding.add(job);
      sequencer.add(key, { ...ev, job });
    }
  }

  return {
    name: 'meta',
    channel: `${on.join(', ')} (meta /meta/webhook)`,
    senders: Object.fromEntries(
      on.map((channel) => [channel, { send: (chatId: string, replies: Reply[]) => deliver(channel, chatId, replies, 'push') }]),
    ),
    onForget: async (key) => {
      if (!on.some((c) => key.startsWith(`${c}:`))) return;
      await lastInbound.delete(key);
      await held.delete(key);
      await queue.dropGroups([`meta:${key}`, `meta-in:${key}`]);
      queued.delete(key);
    },
    readyChecks: { meta: async () => expired.size === 0 },
    routes: [{ path: '/meta', routes }],
    services: [{ name: 'meta', start: async () => {}, stop: () => sequencer.idle() }],
  };
}

/** What Meta sends beside messages and Thunder ignores on purpose (our echoes, receipts, reactions). */
const EXPECTED_SKIPS = new Set([
  'echo',
  'delivery',
  'read',
  'reaction',
  'standby',
  'system',
  'ephemeral',
  'request_welcome',
  'unsupported',
  'field:smb_message_echoes',
]);

/** Skipped kinds split into the expected and the unknown (logged louder: Meta may have added something). */
function partition(skipped: Record<string, number>): [Record<string, number> | undefined, Record<string, number> | undefined] {
  const parts: [Record<string, number>, Record<string, number>] = [{}, {}];
  for (const [kind, n] of Object.entries(skipped)) parts[EXPECTED_SKIPS.has(kind) ? 0 : 1][kind] = n;
  return [Object.keys(parts[0]).length ? parts[0] : undefined, Object.keys(parts[1]).length ? parts[1] : undefined];
}

function note(channel: MetaChannel, reason: 'window' | 'unavailable' | 'reengaged'): Extract<DeskNote, { kind: 'unreachable' }> {
  return { kind: 'unreachable', reason, channel };
}

/** Meta has no slash commands: a message that is only a command's keyword ("forget", "aizmirst") is that command. */
function keywordMap(i18n: i18n): Map<string, string> {
  const map = new Map<string, string>();
  for (const lng of ['lv', 'en']) {
    const byCommand = i18n.t('conversation:keywords', { lng, returnObjects: true }) as unknown as Record<string, string[]>;
    for (const [command, words] of Object.entries(byCommand)) for (const w of words) map.set(normalizeKeyword(w), command);
  }
  return map;
}

function normalizeKeyword(text: string): string {
  return text
    .toLowerCase()
    .replace(/[.!?…]+$/u, '')
    .replace(/\s+/g, ' ')
    .trim();
}

export function toIncoming(ev: MetaEvent, keywords: Map<string, string>): Incoming {
  const base = { channel: ev.channel, userId: ev.userId, chatId: ev.userId };
  if (ev.button !== undefined) return { ...base, button: ev.button };
  if (ev.unsupported !== undefined) return { ...base, unsupported: ev.unsupported };
  const text = ev.text ?? '';
  const command = text.length <= 40 ? keywords.get(normalizeKeyword(text)) : undefined;
  return { ...base, text: command ? `/${command}` : text };
}

/** True the first time a message id is seen, store-wide (atomically on both backends). */
function firstSeen(kv: Space<number>): (id: string) => Promise<boolean> {
  return (id) => kv.once(id, SEEN_MS);
}
