import type Keyv from 'keyv';
import type { App } from '../../app.js';
import { errorInfo } from '../../core/bot.js';
import { parseSession } from '../../core/session.js';
import type { Incoming, Reply } from '../../core/types.js';
import { escalationOf } from '../../escalation/index.js';
import type { DeskNote } from '../../escalation/desk.js';
import { redisOf } from '../../escalation/redis.js';
import { limitBody } from '../../http/json.js';
import { addReadyCheck } from '../../ops/index.js';
import { GraphClient, GraphError } from './graph.js';
import { parseWebhook, type MetaChannel, type MetaEvent } from './inbound.js';
import { renderSendApi, renderWhatsApp, reengageTemplate, type Messaging, type RenderWords } from './render.js';
import { ChatSequencer } from './sequencer.js';
import { verifySignature } from './signature.js';
import { HUMAN_AGENT_MS, windowFor } from './window.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Meta redelivers for up to a week (WhatsApp); a message id is remembered that long. */
const SEEN_MS = 7 * DAY_MS;
/** Meta's webhook bodies are a few KB; batches stay far below this. */
const MAX_BODY_BYTES = 1024 * 1024;

/** One queued send: a single Graph payload, so a retry never repeats the parts that went out. */
interface SendJob {
  channel: MetaChannel;
  chatId: string;
  payload: unknown;
  human: boolean;
}

export interface MetaChannelHandle {
  /** Resolves once every received message has been handled (tests, shutdown). */
  idle(): Promise<void>;
}

/**
 * Facebook Messenger, Instagram Direct and WhatsApp through Meta's one webhook (`/meta/webhook`)
 * and the Graph API. On when META_APP_SECRET is set; each channel needs its token.
 */
export function installMeta(app: App): MetaChannelHandle | undefined {
  const { config, core, log } = app;
  const secret = config.META_APP_SECRET;
  const verifyToken = config.META_VERIFY_TOKEN;
  if (!secret || !verifyToken) return undefined;
  const graph = new GraphClient({ baseUrl: config.META_GRAPH_URL });
  const escalation = escalationOf(app)?.escalation;
  const relay = escalation?.relay;
  const tokens: Partial<Record<MetaChannel, string>> = {
    ...(config.MESSENGER_PAGE_TOKEN ? { messenger: config.MESSENGER_PAGE_TOKEN, instagram: config.MESSENGER_PAGE_TOKEN } : {}),
    ...(config.WHATSAPP_TOKEN ? { whatsapp: config.WHATSAPP_TOKEN } : {}),
  };
  const on = (Object.keys(tokens) as MetaChannel[]).sort();
  const seen = firstSeen(app.store.kv<number>('meta-seen', SEEN_MS, { durable: false }));
  /** When each chat last wrote to us: the start of its 24-hour window. */
  const lastInbound = app.store.kv<number>('meta-window', HUMAN_AGENT_MS + DAY_MS);
  /** Agent replies waiting for a WhatsApp customer to answer the re-engagement template. */
  const held = app.store.kv<Reply[]>('meta-held', HUMAN_AGENT_MS);
  /** Channels whose token Meta called expired (190): /readyz is down until a restart with a new one. */
  const expired = new Set<MetaChannel>();
  /** Sends per chat waiting in the durable queue: later messages queue behind them to keep order. */
  const queued = new Map<string, number>();
  const keywords = keywordMap(app);
  const policy = { humanAgentTag: config.META_HUMAN_AGENT_TAG, reengageTemplate: Boolean(config.WHATSAPP_REENGAGE_TEMPLATE) };
  const words = (lang: 'lv' | 'en'): RenderWords => ({ choose: core.i18n.t('meta:choose', { lng: lang }), more: core.i18n.t('meta:more', { lng: lang }) });

  const sequencer = new ChatSequencer<MetaEvent>(
    (ev) => handleEvent(ev),
    (err) => log.error({ err: errorInfo(err) }, 'meta: message failed'),
    config.META_ORDER_WINDOW_MS,
  );

  async function handleEvent(ev: MetaEvent): Promise<void> {
    const key = `${ev.channel}:${ev.userId}`;
    await lastInbound.set(key, Math.max(ev.at, Date.now() - 1000));
    const waiting = ev.channel === 'whatsapp' ? await held.get(key) : undefined;
    if (waiting?.length) {
      await held.delete(key);
      await deliver(ev.channel, ev.userId, waiting, 'response');
    }
    const replies = await core.handle(toIncoming(ev, keywords));
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
      if (window === 'template') return reengage(chatId, replies);
      if (window === 'closed') return closed(channel, chatId, human, 'window');
      messaging = window === 'human-agent' ? { messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' } : { messaging_type: 'UPDATE' };
    }
    const payloads = channel === 'whatsapp' ? renderWhatsApp(chatId, replies, await wordsFor(key, replies)) : renderSendApi(channel, chatId, replies, messaging);
    for (let i = 0; i < payloads.length; i++) {
      if (queued.get(key)) return enqueue(payloads.slice(i).map((payload) => ({ channel, chatId, payload, human })));
      try {
        await post(channel, payloads[i]);
      } catch (err) {
        if (err instanceof GraphError && !err.retryable) return failed(channel, chatId, human, err);
        log.warn({ channel, err: errorInfo(err) }, 'meta: send failed, queued for retry');
        core.events.emit('delivery.failed', { channel, reason: 'retry' });
        return enqueue(payloads.slice(i).map((payload) => ({ channel, chatId, payload, human })));
      }
    }
  }

  async function wordsFor(key: string, replies: Reply[]): Promise<RenderWords> {
    // Only a list needs words of its own, so the session is read only then.
    const needs = replies.some((r) => (r.buttons ?? []).flat().length > 3);
    const lang = needs ? (parseSession(await core.sessions.get(key)).lang ?? config.DEFAULT_LANG) : config.DEFAULT_LANG;
    return words(lang);
  }

  async function post(channel: MetaChannel, payload: unknown): Promise<void> {
    const path = channel === 'whatsapp' ? `/${config.WHATSAPP_PHONE_NUMBER_ID}/messages` : '/me/messages';
    await graph.post(channel, path, tokens[channel]!, payload);
    expired.delete(channel);
  }

  async function enqueue(jobs: SendJob[]): Promise<void> {
    if (!relay) throw new Error('meta: no durable queue');
    for (const job of jobs) {
      const key = `${job.channel}:${job.chatId}`;
      queued.set(key, (queued.get(key) ?? 0) + 1);
      await relay.enqueue(`meta:${key}`, 'meta.send', job);
    }
  }

  relay?.on('meta.send', async (data) => {
    const job = data as SendJob;
    const key = `${job.channel}:${job.chatId}`;
    try {
      await post(job.channel, job.payload);
    } catch (err) {
      if (!(err instanceof GraphError) || err.retryable) {
        core.events.emit('delivery.failed', { channel: job.channel, reason: 'retry' });
        throw err;
      }
      await failed(job.channel, job.chatId, job.human, err);
    }
    const left = (queued.get(key) ?? 1) - 1;
    if (left > 0) queued.set(key, left);
    else queued.delete(key);
  });

  async function failed(channel: MetaChannel, chatId: string, human: boolean, err: GraphError): Promise<void> {
    core.events.emit('delivery.failed', { channel, reason: err.failure });
    if (err.failure === 'window' || err.failure === 'unreachable') return closed(channel, chatId, human, err.failure === 'window' ? 'window' : 'unavailable');
    if (err.failure === 'token') {
      expired.add(channel);
      log.error({ channel, code: err.graphCode }, `meta: the ${channel === 'whatsapp' ? 'WHATSAPP_TOKEN' : 'MESSENGER_PAGE_TOKEN'} expired or was revoked; set a new one and restart`);
      return;
    }
    log.error({ channel, status: err.status, code: err.graphCode, subcode: err.graphSubcode }, 'meta: Graph API refused a message; not retried');
  }

  /**
   * The customer cannot get this message. A person's reply: the agent is told in the thread. The
   * bot's own notices while an agent has the conversation are dropped; anything else hands the
   * conversation to the desk with a note.
   */
  async function closed(channel: MetaChannel, chatId: string, human: boolean, reason: 'window' | 'unavailable'): Promise<void> {
    const key = `${channel}:${chatId}`;
    if (!human) {
      const ticketId = parseSession(await core.sessions.get(key)).ticketId;
      const ticket = ticketId ? await escalation?.tickets.get(ticketId) : undefined;
      if (ticket && ticket.status !== 'resolved') return void log.info({ channel, reason }, 'meta: bot notice not delivered while an agent has the chat');
    }
    log.info({ channel, reason }, 'meta: customer unreachable, handed to the desk');
    await escalation?.unreachable({ key, channel, chatId }, note(channel, reason));
  }

  async function reengage(chatId: string, replies: Reply[]): Promise<void> {
    const key = `whatsapp:${chatId}`;
    const lang = parseSession(await core.sessions.get(key)).lang ?? config.DEFAULT_LANG;
    try {
      await post('whatsapp', reengageTemplate(chatId, config.WHATSAPP_REENGAGE_TEMPLATE!, lang));
    } catch (err) {
      if (err instanceof GraphError && !err.retryable) return failed('whatsapp', chatId, true, err);
      throw err;
    }
    await held.set(key, [...((await held.get(key)) ?? []), ...replies]);
    await escalation?.unreachable({ key, channel: 'whatsapp', chatId }, note('whatsapp', 'reengaged'));
  }

  for (const channel of on) {
    core.registerSender(channel, { send: (chatId, replies) => deliver(channel, chatId, replies, 'push') });
  }
  core.onForget(async (key) => {
    if (!on.some((c) => key.startsWith(`${c}:`))) return;
    await lastInbound.delete(key);
    await held.delete(key);
  });
  addReadyCheck(app, 'meta', async () => expired.size === 0);

  app.http.get('/meta/webhook', (c) => {
    // Meta's subscription handshake: no signature on GET, only the verify token.
    const ok = c.req.query('hub.mode') === 'subscribe' && c.req.query('hub.verify_token') === verifyToken;
    const challenge = c.req.query('hub.challenge');
    if (!ok || !challenge) return c.text('', 403);
    return c.text(challenge, 200);
  });
  app.http.post('/meta/webhook', limitBody(MAX_BODY_BYTES), async (c) => {
    const raw = new Uint8Array(await c.req.arrayBuffer());
    const signature = c.req.header('x-hub-signature-256');
    if (!signature) return c.text('', 401);
    if (!verifySignature(raw, signature, secret)) {
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
    if (Object.keys(parsed.skipped).length) log.debug({ skipped: parsed.skipped }, 'meta: events skipped');
    for (const n of parsed.notices) {
      if (n.kind === 'error' || n.status === 'failed') log.warn({ kind: n.kind, status: n.status, codes: n.codes }, 'meta: WhatsApp reports a failed message');
    }
    // Answered at once; the work happens after, so a slow answer never makes Meta redeliver.
    void intake(parsed.events.filter((ev) => tokens[ev.channel])).catch((err: unknown) => log.error({ err: errorInfo(err) }, 'meta: intake failed'));
    return c.text('EVENT_RECEIVED', 200);
  });

  /** Each message id once (Meta redelivers, also after a 200), then in order per chat. */
  async function intake(events: MetaEvent[]): Promise<void> {
    const fresh = await Promise.all(events.map((ev) => seen(`${ev.channel}:${ev.id}`)));
    events.filter((_, i) => fresh[i]).forEach((ev) => sequencer.add(`${ev.channel}:${ev.userId}`, ev));
  }

  app.channels.push(`${on.join(', ')} (meta /meta/webhook)`);
  app.services.push({ name: 'meta', start: async () => {}, stop: () => sequencer.idle() });
  return { idle: () => sequencer.idle() };
}

function note(channel: MetaChannel, reason: 'window' | 'unavailable' | 'reengaged'): Extract<DeskNote, { kind: 'unreachable' }> {
  return { kind: 'unreachable', reason, channel };
}

/** Meta has no slash commands: a message that is only a command's keyword ("forget", "aizmirst") is that command. */
function keywordMap(app: App): Map<string, string> {
  const map = new Map<string, string>();
  for (const lng of ['lv', 'en']) {
    const byCommand = app.core.i18n.t('meta:keywords', { lng, returnObjects: true }) as unknown as Record<string, string[]>;
    for (const [command, words] of Object.entries(byCommand)) for (const w of words) map.set(normalizeKeyword(w), command);
  }
  return map;
}

function normalizeKeyword(text: string): string {
  return text.toLowerCase().replace(/[.!?…]+$/u, '').replace(/\s+/g, ' ').trim();
}

export function toIncoming(ev: MetaEvent, keywords: Map<string, string>): Incoming {
  const base = { channel: ev.channel, userId: ev.userId, chatId: ev.userId };
  if (ev.button !== undefined) return { ...base, button: ev.button };
  if (ev.unsupported !== undefined) return { ...base, unsupported: ev.unsupported };
  const text = ev.text ?? '';
  const command = text.length <= 40 ? keywords.get(normalizeKeyword(text)) : undefined;
  return { ...base, text: command ? `/${command}` : text };
}

/** True the first time a message id is seen: atomically across instances on Redis, per instance on SQLite. */
function firstSeen(kv: Keyv<number>): (id: string) => Promise<boolean> {
  const inFlight = new Set<string>();
  return async (id) => {
    if (inFlight.has(id)) return false;
    inFlight.add(id);
    try {
      const redis = await redisOf(kv as Keyv<unknown>);
      if (redis) return (await redis.client.set(`${redis.prefix}:seen:${id}`, '1', { NX: true, PX: SEEN_MS })) === 'OK';
      if (await kv.get(id)) return false;
      await kv.set(id, Date.now());
      return true;
    } finally {
      inFlight.delete(id);
    }
  };
}

