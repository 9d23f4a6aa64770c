import { Hono } from 'hono';
import type { Config } from './config/index.js';
import { Core } from './core/bot.js';
import type { Session } from './core/session.js';
import { createI18n } from './i18n/index.js';
import { createLogger, type Logger } from './log/logger.js';
import { Queue } from './state/queue.js';
import { Store } from './state/store.js';
import { stateSweeper } from './state/sweeper.js';
import { installTelegram } from './channels/telegram/index.js';
import { installWeb } from './channels/web/index.js';
import { installOps } from './ops/index.js';
import { installRequests, type Requests } from './requests/index.js';
import { AnswerEngine } from './answers/engine.js';
import { loadKnowledge } from './answers/knowledge.js';
import { installConversation } from './conversation/index.js';
import { installEscalation } from './escalation/index.js';
import { installSlack } from './channels/slack/index.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Something started by the app that must stop cleanly on shutdown (channels, outbox, relay). */
export interface Service {
  name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface App {
  config: Config;
  log: Logger;
  store: Store;
  /** The durable job queue: everything that must reach the outside goes through it. */
  queue: Queue;
  core: Core;
  /** Routes of the one HTTP server on PORT (web chat, webhooks, Slack events, health, metrics). */
  http: Hono;
  services: Service[];
  /** Channels that are on, for the start-up log line. */
  channels: string[];
  /** The answer engine over the knowledge base, built once at start-up. */
  engine: AnswerEngine;
  /** Rights requests: open requests for staff (set by installRequests). */
  requests?: Requests;
}

export interface AppOptions {
  log?: Logger;
  /** Key prefix in the store; tests use it to stay apart on one Redis. */
  storePrefix?: string;
}

/** The composition root: builds every part from the config and wires them, starting nothing. */
export function createApp(config: Config, opts: AppOptions = {}): App {
  const log = opts.log ?? createLogger(config.LOG_LEVEL);
  const store = new Store({ redisUrl: config.REDIS_URL, dataDir: config.DATA_DIR, prefix: opts.storePrefix ?? config.STORE_PREFIX });
  const core = new Core({
    i18n: createI18n(),
    sessions: store.kv<Session>('session', config.STATE_TTL_DAYS * DAY_MS, { durable: false }),
    log,
    defaultLang: config.DEFAULT_LANG,
  });
  const http = new Hono();
  const engine = new AnswerEngine(loadKnowledge());
  const queue = new Queue({ space: store.kv('jobs'), log, ttlMs: config.STATE_TTL_DAYS * DAY_MS, leaseMs: config.JOB_LEASE_MS, tickMs: config.JOB_SCAN_MS });
  const app: App = { config, log, store, queue, core, http, engine, services: [stateSweeper(store, log)], channels: [] };
  installOps(app);
  installEscalation(app);
  app.requests = installRequests(app);
  installConversation(app);
  installTelegram(app);
  installSlack(app);
  if (config.WEB_CHAT) installWeb(app);
  // Last in, first out: jobs start once every sender is there and stop before the channels do.
  app.services.push({ name: 'queue', start: () => queue.start(), stop: () => queue.stop() });
  return app;
}
