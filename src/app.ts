import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Hono } from 'hono';
import { z } from 'zod';
import { AnswerEngine } from './answers/engine.js';
import { KnowledgeError, loadKnowledge } from './answers/knowledge.js';
import { createMeta, SEEN_MS as META_SEEN_MS } from './channels/meta/index.js';
import { HUMAN_AGENT_MS } from './channels/meta/window.js';
import { createSlack, SEEN_MS, slackDeskClient } from './channels/slack/index.js';
import { SlackDesk } from './channels/slack/desk.js';
import { SlackReviewDesk } from './channels/slack/review.js';
import { createTelegram } from './channels/telegram/index.js';
import { createWeb } from './channels/web/index.js';
import { type Config, standinDir } from './config/index.js';
import { createConversation, createIntents } from './conversation/index.js';
import { understand } from './conversation/understand.js';
import { Core } from './core/bot.js';
import { errorInfo } from './core/errors.js';
import { type Feature, mountFeatures, type ReadyCheck, type Service } from './core/feature.js';
import type { Session } from './core/session.js';
import { DAY_MS } from './domain.js';
import { createEscalation, type Escalation, type Stats } from './escalation/index.js';
import { contactsOf } from './escalation/contacts.js';
import { formatDate, formatMoment } from './i18n/dates.js';
import { createI18n } from './i18n/index.js';
import { rootErrors } from './http/errors.js';
import { limitBody } from './http/json.js';
import { createLearning, type Learning } from './learning/index.js';
import { OVERLAY_SPACE } from './learning/overlay.js';
import { AUDIT_TTL_MS } from './learning/review.js';
import { createLogger, type Logger } from './log/logger.js';
import { createOps } from './ops/index.js';
import { createRequests, type Requests } from './requests/index.js';
import { Queue } from './state/queue.js';
import { Store } from './state/store.js';
import { ROOT } from './paths.js';
import { durabilityWatch, RISKS } from './state/durability.js';
import { stateSweeper } from './state/sweeper.js';
import { createVersion } from './version/index.js';
import { redact } from './learning/redact.js';
import { createFeedback } from './feedback/index.js';
import type { GapSink } from './learning/types.js';

export type { Service };

export interface App {
  config: Config;
  log: Logger;
  store: Store;
  /** The durable job queue: everything that must reach the outside goes through it. */
  queue: Queue;
  core: Core;
  /** Routes of the one HTTP server on PORT (web chat, webhooks, Slack events, health, metrics). */
  http: Hono;
  /** /healthz, /readyz and /metrics for OPS_PORT, when it is set (then the public `http` keeps only /healthz). */
  opsHttp: Hono | undefined;
  /** Started in this order, stopped in reverse. */
  services: Service[];
  /** Channels that are on, for the start-up log line. */
  channels: string[];
  /** The answer engine over the knowledge base, built once at start-up. */
  engine: AnswerEngine;
  escalation: Escalation;
  stats: Stats;
  requests: Requests;
  /** Gaps, staff review and the knowledge overlay every answer goes through. */
  learning: Learning;
}

export interface AppOptions {
  log?: Logger;
  /** Key prefix in the store; tests use it to stay apart on one Redis. */
  storePrefix?: string;
  /** Telegram polling mode; `simple` is the bench's baseline. */
  telegramPolling?: 'runner' | 'simple';
  /** Mounted last, after every built-in feature (tests and benches add their own). */
  extraFeatures?: Feature[];
  /** Where gaps go (a 👎 on an answer); tests pass their own sink. */
  gaps?: GapSink;
}

/**
 * The composition root: maps the config to each feature's options, builds the features and mounts
 * them in one explicit order, starting nothing. Only src/main.ts and tests import it.
 */
export function createApp(config: Config, opts: AppOptions = {}): App {
  const log = opts.log ?? createLogger(config.LOG_LEVEL);
  const ttl = config.STATE_TTL_DAYS * DAY_MS;
  const store = new Store({ redisUrl: config.REDIS_URL, dataDir: config.DATA_DIR, prefix: opts.storePrefix ?? config.STORE_PREFIX });
  const i18n = createI18n();
  const core = new Core({
    i18n,
    sessions: store.kv<Session>('session', ttl, { durable: false }),
    // Only a shared store lets another instance run a turn of the same user while /forget runs.
    tombstones: store.kind === 'redis' ? store.kv<string>('forgotten') : undefined,
    redact,
    log,
    defaultLang: config.DEFAULT_LANG,
  });
  const engine = new AnswerEngine(loadKnowledge());
  const { kb } = engine;
  const queue = new Queue({ space: store.kv('jobs'), log, ttlMs: ttl, leaseMs: config.JOB_LEASE_MS, tickMs: config.JOB_SCAN_MS });
  queue.observe((outcome, kind) => core.events.emit('job', { kind, outcome }));
  const staffLang = config.DEFAULT_LANG;
  const timeZone = config.SUPPORT_TIMEZONE;

  // Slack's Web API client serves both the desk (escalation's staff side) and the staff assistant.
  const slackClient = config.SLACK_BOT_TOKEN ? slackDeskClient(config.SLACK_BOT_TOKEN, config.SLACK_API_URL, log) : undefined;

  const reviewTtl = config.REVIEW_TTL_DAYS * DAY_MS;
  const learning = createLearning({
    engine,
    gaps: store.kv('gap', reviewTtl),
    overlay: store.kv(OVERLAY_SPACE),
    audit: store.kv('review-audit', AUDIT_TTL_MS),
    ttlMs: reviewTtl,
    pollMs: config.REVIEW_POLL_MS,
    desk:
      slackClient && config.SLACK_REVIEW_CHANNEL
        ? new SlackReviewDesk({
            client: slackClient,
            channel: config.SLACK_REVIEW_CHANNEL,
            t: i18n.getFixedT(staffLang),
            lang: staffLang,
            entries: kb.entries,
          })
        : undefined,
    log,
  });
  // Every feature asks through the overlay (and its per-version answer cache), so staff changes reach them all.
  const ask = learning.ask;
  const answers = { kb, ask };
  const hours = { ...config.SUPPORT_HOURS, timeZone };
  const desk =
    slackClient && config.SLACK_SUPPORT_CHANNEL
      ? new SlackDesk({
          client: slackClient,
          channel: config.SLACK_SUPPORT_CHANNEL,
          t: i18n.getFixedT(staffLang),
          formatDate: (iso) => formatDate(iso, staffLang, timeZone, 'medium'),
          formatTime: (at) => formatMoment(at, staffLang, timeZone),
        })
      : undefined;

  const escalationFeature = createEscalation({
    tickets: store.kv('ticket', ttl),
    queue,
    stats: store.kv('stats'),
    log,
    i18n,
    events: core.events,
    push: (channel, chatId, replies) => core.push(channel, chatId, replies),
    editSession: (key, edit) => core.editSession(key, edit),
    hours,
    timeZone,
    relayRetryBaseMs: config.RELAY_RETRY_BASE_MS,
    desk,
    contacts: contactsOf(kb),
    answersFromPolicy: (ctx) => {
      const read = understand(answers, ctx);
      return read.intent === 'policy' && read.entry !== null;
    },
  });
  const { escalation, stats } = escalationFeature;

  const requests = createRequests({
    // Through the answer cache: the flow reads every free-text message for a wish to exercise a right.
    engine: { ask },
    store,
    core,
    log,
    api: { url: config.REQUEST_API_URL, token: config.REQUEST_API_TOKEN, timeoutMs: config.REQUEST_API_TIMEOUT_MS },
    standinDir: standinDir(config),
    refSecret: config.REQUEST_REF_SECRET,
    retry: { baseMs: config.REQUEST_RETRY_BASE_MS, maxMs: config.REQUEST_RETRY_MAX_MS },
    retentionMs: ttl,
    timeZone,
    queue,
    parkAfterMs: config.REQUEST_PARK_AFTER_MS,
    companyEmail: companyEmail(kb),
  });

  const version = createVersion({ version: packageVersion() });
  const intents = createIntents({ engine: answers, i18n });
  const conversation = createConversation({
    engine: answers,
    ttlDays: config.STATE_TTL_DAYS,
    handoff: escalation,
    gaps: {
      sink: learning.sink,
      rank: (text, lang) =>
        engine
          .explain(text, lang, false)
          .candidates.filter((c) => kb.entries.has(c.label))
          .slice(0, 3)
          .map((c) => ({ id: c.label, p: c.p })),
      days: config.REVIEW_TTL_DAYS,
    },
  });
  const feedback = createFeedback({
    engine,
    handoff: escalation,
    events: core.events,
    votes: store.kv('feedback-vote', ttl),
    staffAnswers: store.kv('feedback-staff', ttl),
    stats: store.kv('feedback-stats'),
    ttlMs: ttl,
    timeZone,
    gaps: opts.gaps ?? learning.sink,
    redact,
    log,
  });

  const channels: Feature[] = [];
  if (config.TELEGRAM_BOT_TOKEN) {
    const webhookUrl = config.TELEGRAM_WEBHOOK_URL;
    channels.push(
      createTelegram({
        token: config.TELEGRAM_BOT_TOKEN,
        apiRoot: config.TELEGRAM_API_ROOT,
        webhook: webhookUrl ? { url: webhookUrl, secret: config.TELEGRAM_WEBHOOK_SECRET } : undefined,
        polling: opts.telegramPolling,
        handle: (msg) => core.handle(msg),
        i18n,
        log,
      }),
    );
  }
  if (config.SLACK_BOT_TOKEN && slackClient) {
    channels.push(
      createSlack({
        token: config.SLACK_BOT_TOKEN,
        deskClient: slackClient,
        appToken: config.SLACK_APP_TOKEN,
        signingSecret: config.SLACK_SIGNING_SECRET,
        apiUrl: config.SLACK_API_URL,
        staffLang,
        timeZone,
        i18n,
        log,
        engine: { ask },
        escalation,
        stats,
        requests,
        feedback: feedback.staff,
        seen: store.kv<number>('slack-event', SEEN_MS, { durable: false }),
        review: learning.review,
      }),
    );
  }
  if (config.WEB_CHAT) {
    channels.push(
      createWeb({
        core,
        kb,
        inbox: store.kv('web-inbox', ttl),
        visitors: store.kv('web-visitor', ttl),
        embedOrigins: config.WEB_EMBED_ORIGINS.split(' '),
        sessionsPerMinute: config.WEB_SESSIONS_PER_MINUTE,
        trustProxy: config.TRUST_PROXY,
        ttlDays: config.STATE_TTL_DAYS,
      }),
    );
  }

  if (config.META_APP_SECRET && config.META_VERIFY_TOKEN) {
    const whatsappToken = config.WHATSAPP_TOKEN;
    const phoneNumberId = config.WHATSAPP_PHONE_NUMBER_ID;
    channels.push(
      createMeta({
        appSecret: config.META_APP_SECRET,
        verifyToken: config.META_VERIFY_TOKEN,
        pageToken: config.MESSENGER_PAGE_TOKEN,
        whatsapp: whatsappToken && phoneNumberId ? { token: whatsappToken, phoneNumberId } : undefined,
        graphUrl: config.META_GRAPH_URL,
        humanAgentTag: config.META_HUMAN_AGENT_TAG,
        reengageTemplate: config.WHATSAPP_REENGAGE_TEMPLATE,
        orderWindowMs: config.META_ORDER_WINDOW_MS,
        rescueMs: config.META_RESCUE_MS,
        defaultLang: config.DEFAULT_LANG,
        handle: (msg) => core.handle(msg),
        session: (key) => core.readSession(key),
        escalation,
        queue,
        retryBaseMs: config.RELAY_RETRY_BASE_MS,
        i18n,
        events: core.events,
        log,
        seen: store.kv<number>('meta-seen', META_SEEN_MS, { durable: false }),
        // Outlives HUMAN_AGENT's 7 days by a day, so "older than 7 days" is still known. A power cut
        // losing the latest write only makes the window look closed: the desk is told, nothing is sent.
        lastInbound: store.kv<number>('meta-window', HUMAN_AGENT_MS + DAY_MS, { durable: false }),
        held: store.kv('meta-held', HUMAN_AGENT_MS),
      }),
    );
  }

  const durability = durabilityWatch(store, log);
  // An erasure is over only once no journal holds the erased values (SQLite's WAL).
  core.events.on(
    'forgotten',
    () => void store.erased().catch((err: unknown) => log.error({ err: errorInfo(err) }, 'state: journal not cleared after an erasure')),
  );
  const stateFeature: Feature = {
    name: 'state',
    readyChecks: { store: () => store.ping() },
    services: [stateSweeper(store, log), durability.service],
  };
  // Started after the channels (jobs push through their senders), stopped before them.
  const jobsFeature: Feature = { name: 'jobs', services: [{ name: 'queue', start: () => queue.start(), stop: () => queue.stop() }] };
  // Every feature but ops, in the order below: ops reads their ready checks.
  const afterOps = [
    learning,
    intents,
    feedback,
    escalationFeature,
    requests,
    version,
    conversation,
    ...channels,
    jobsFeature,
    ...(opts.extraFeatures ?? []),
  ];
  const observed = [stateFeature, ...afterOps];
  const ops = createOps({
    events: core.events,
    rateLimitPerMinute: config.RATE_LIMIT_PER_MINUTE,
    separatePort: config.OPS_PORT !== undefined,
    readyChecks: new Map<string, ReadyCheck>(observed.flatMap((f) => Object.entries(f.readyChecks ?? {}))),
    warnings: () => durability.risks().map((r) => RISKS[r]),
    gauges: {
      async pendingRequests() {
        return (await requests.listOpen()).filter((r) => r.status === 'sending').length;
      },
      openEscalations: () => escalation.tickets.countOpen(),
      durabilityRisks: () => durability.risks(),
      durabilityKinds: Object.keys(RISKS),
    },
  });

  // The order is the middleware order and the start order (stop runs in reverse):
  //   state      sweeps expired state; its store check leads /readyz
  //   ops        the rate limit refuses a flood before any feature works on it
  //   learning   reads the knowledge overlay before anything is answered; no middleware
  //   intents    free text read once: "I want a person" / "my requests' status" run /human, /status
  //   feedback   takes its 👍/👎 presses first (also while a ticket or form is open); adds them under answers
  //   escalation while a ticket is open, the customer talks to the agent, not the bot
  //   requests   a rights request in progress takes the customer's answers
  //   version    /version
  //   conversation commands, buttons and questions: whatever is left
  //   channels   started after the features behind them, so nothing arrives before those run
  //   jobs       the durable queue last: its jobs push through the channels' senders
  const features = [stateFeature, ops, ...afterOps];
  const http = new Hono();
  rootErrors(http, log);
  // Every route has a body limit; routes that expect less set a lower one.
  http.use('*', limitBody(MAX_BODY_BYTES));
  const { services, channels: on } = mountFeatures(core, http, features);

  return {
    config,
    log,
    store,
    queue,
    core,
    http,
    opsHttp: ops.opsHttp && limited(ops.opsHttp),
    services,
    channels: on,
    engine,
    escalation,
    stats,
    requests,
    learning,
  };
}

/** The biggest body any route takes (a Meta webhook batch); bigger is refused unread. */
const MAX_BODY_BYTES = 1024 * 1024;

function limited(routes: Hono): Hono {
  return new Hono().use('*', limitBody(MAX_BODY_BYTES)).route('/', routes);
}

/** The company's e-mail, from the knowledge base's controller entry (a policy fact, never code). */
function companyEmail(kb: AnswerEngine['kb']): string {
  const email = kb.entries.get('controller')?.answer.en.match(/[\w.+-]+@[\w-]+(?:\.[\w-]+)+/)?.[0];
  if (!email) throw new KnowledgeError("knowledge base: the 'controller' entry names no e-mail address");
  return email;
}

function packageVersion(): string {
  const pkg = z.object({ version: z.string() }).parse(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')));
  return pkg.version;
}
