import { createHmac, randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { detectExercise } from '../answers/intent.js';
import { detectLang } from '../answers/lang.js';
import type { App } from '../app.js';
import type { Ctx } from '../core/bot.js';
import { addReadyCheck } from '../ops/index.js';
import { RequestApiClient } from './client.js';
import { newRequestSchema } from './contract.js';
import { requestFlow, type CompleteDraft } from './flow.js';
import { statusButton, statusReply } from './messages.js';
import { Outbox, type RequestView } from './outbox.js';
import { startStandin, type RunningStandin } from './standin/server.js';

export type { RequestView };

const DAY_MS = 24 * 60 * 60 * 1000;
/** Enough for /status; older ids drop off. */
const MAX_IDS = 20;

/** What other features use: staff listings (`/privacy requests`) and the outbox itself. */
export interface Requests {
  /** Open requests (sending, received, in progress), soonest due first: ids, types, statuses, due dates. */
  listOpen(): Promise<RequestView[]>;
  outbox: Outbox;
  /** The request API base URL (the embedded stand-in's once started). */
  apiUrl(): string;
}

export function installRequests(app: App): Requests {
  const { config, core, log, store } = app;
  let embedded: RunningStandin | undefined;
  const token = config.REQUEST_API_TOKEN ?? (config.REQUEST_API_URL ? undefined : randomBytes(24).toString('base64url'));
  const apiUrl = () => {
    if (config.REQUEST_API_URL) return config.REQUEST_API_URL;
    if (!embedded) throw new Error('the embedded request API is not started');
    return embedded.url;
  };
  const client = new RequestApiClient({ url: apiUrl, token, timeoutMs: config.REQUEST_API_TIMEOUT_MS, log });
  const outbox = new Outbox({
    store,
    queue: app.queue,
    client,
    core,
    log,
    baseMs: config.REQUEST_RETRY_BASE_MS,
    maxMs: config.REQUEST_RETRY_MAX_MS,
    retentionMs: config.STATE_TTL_DAYS * DAY_MS,
    timeZone: config.SUPPORT_TIMEZONE,
    parkAfterMs: config.REQUEST_PARK_AFTER_MS,
    companyEmail: companyEmail(app),
  });

  const meta = store.kv<string>('requests-meta');
  let secret: string | undefined = config.REQUEST_REF_SECRET;
  /** Pseudonymous channel reference: the company can tell requests of one chat user apart without the raw id. */
  async function channelRef(key: string): Promise<string> {
    if (!secret) {
      secret = (await meta.get('refSecret')) ?? randomBytes(32).toString('hex');
      await meta.set('refSecret', secret);
    }
    return createHmac('sha256', secret).update(key).digest('hex');
  }

  async function submit(ctx: Ctx, d: CompleteDraft): Promise<void> {
    const request = newRequestSchema.parse({
      type: d.right,
      subject: { name: d.name, ...(d.email && { email: d.email }), ...(d.phone && { phone: d.phone }) },
      ...(d.details && { details: d.details }),
      language: ctx.lang,
      channel: ctx.msg.channel,
      channelRef: await channelRef(ctx.key),
      submittedAt: new Date().toISOString(),
    });
    const item = await outbox.add({ key: d.key, channel: ctx.msg.channel, chatId: ctx.msg.chatId, lang: ctx.lang, request });
    ctx.session.requestIds = [...ctx.session.requestIds.filter((id) => id !== item.id), item.id].slice(-MAX_IDS);
    ctx.reply({ text: ctx.t('requests:recorded'), buttons: statusButton(ctx.t) });
  }

  async function status(ctx: Ctx): Promise<void> {
    const { views, stale } = await outbox.statusOf(ctx.session.requestIds);
    ctx.session.requestIds = views.map((v) => v.id);
    ctx.reply(statusReply(ctx.t, ctx.lang, views, stale, config.SUPPORT_TIMEZONE));
  }

  core.use(requestFlow({ detectExercise, detectLang, submit, status }));
  core.onForget((_key, session) => outbox.forget(session.requestIds));

  if (!config.REQUEST_API_URL) {
    const file = resolve(config.DATA_DIR, 'request-api.sqlite');
    app.services.push({
      name: 'request-api',
      async start() {
        embedded = await startStandin({ file, token });
        log.info({ url: embedded.url }, `REQUEST_API_URL is unset: rights requests go to the embedded stand-in request API at ${embedded.url} (data in ${file})`);
      },
      async stop() {
        await embedded?.close();
      },
    });
  }
  addReadyCheck(app, 'requestApi', () => reachable(client));

  return { listOpen: () => outbox.listOpen(), outbox, apiUrl };
}

/** The company's e-mail, from the knowledge base's controller entry (a policy fact, never code). */
function companyEmail(app: App): string {
  const entry = app.engine.kb.entries.get('controller');
  const email = entry?.answer.en.match(/[\w.+-]+@[\w-]+(?:\.[\w-]+)+/)?.[0];
  if (!email) throw new Error("knowledge base: the 'controller' entry names no e-mail address");
  return email;
}

/**
 * Any answer from the request API but a 5xx or an auth refusal means it is there and takes our
 * token; asking for a request that does not exist costs it nothing.
 */
async function reachable(client: RequestApiClient): Promise<boolean> {
  const result = await client.get('readiness-probe');
  if (result.ok) return true;
  const status = 'status' in result ? result.status : undefined;
  return status !== undefined && status < 500 && status !== 401 && status !== 403;
}
