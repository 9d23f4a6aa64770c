import { createHmac, randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { z } from 'zod';
import type { AnswerEngine } from '../answers/engine.js';
import type { Core, Ctx } from '../core/bot.js';
import { ErrorCode, ThunderError } from '../core/errors.js';
import type { Feature, Service } from '../core/feature.js';
import type { Channel } from '../core/types.js';
import type { Right } from '../domain.js';
import type { Logger } from '../log/logger.js';
import type { Queue } from '../state/queue.js';
import type { Store } from '../state/store.js';
import { followLang, understand } from '../conversation/understand.js';
import { RequestApiClient } from './client.js';
import { newRequestSchema } from './contract.js';
import { requestFlow, type CompleteDraft } from './flow.js';
import { openRequestsNote, statusButton, statusReply } from './messages.js';
import { isOpen, Outbox, type RequestView } from './outbox.js';
import { startStandin, type RunningStandin } from './standin/server.js';

export type { RequestView };

declare module '../core/events.js' {
  interface CoreEvents {
    /** `id` is the local outbox id, `ref` the company's reference. */
    'request.created': [{ id: string; type: Right; channel: Channel; dueAt: string }];
    'request.accepted': [{ id: string; type: Right; channel: Channel; ref: string; dueAt: string }];
    'request.rejected': [{ id: string; type: Right; channel: Channel; status: number; code: string }];
    'request.retry': [{ id: string; attempt: number; reason: string }];
  }
}

declare module '../core/session.js' {
  interface SessionFields {
    /** A rights request being filled in (see flow.ts, which validates `data`). */
    flow?: { name: string; step: string; data: Record<string, unknown> };
    /** Rights requests filed from this chat (ids in the outbox), for /status. */
    requestIds: string[];
  }
}

/** Enough for /status; older ids drop off. */
const MAX_IDS = 20;

export interface RequestsOptions {
  /** Reads a free-text wish to exercise a right ("dzēsiet manus datus"), and questions inside the form. */
  engine: Pick<AnswerEngine, 'ask'>;
  store: Store;
  /** The app's durable job queue: submissions go through it. */
  queue: Queue;
  core: Pick<Core, 'events' | 'i18n' | 'push'>;
  log: Logger;
  /** The company's request API; unset: an embedded stand-in with its data in `standinDir`. */
  api: { url: string | undefined; token: string | undefined; timeoutMs: number };
  standinDir: string;
  /** Secret of the pseudonymous channel reference; unset: one generated and kept in the store. */
  refSecret: string | undefined;
  retry: { baseMs: number; maxMs: number };
  /** How long a delivered request (reference, status) is kept for /status. */
  retentionMs: number;
  /** For due dates in messages. */
  timeZone: string;
  /** A request the API keeps refusing (401/403/404/422) this long is parked as failed. */
  parkAfterMs: number;
  /** Where a customer whose request could not be filed can write (from the knowledge base). */
  companyEmail: string;
}

/** What other features use: staff listings (`/privacy requests`) and the outbox itself. */
export interface Requests extends Feature {
  /** Open requests (sending, received, in progress), soonest due first: ids, types, statuses, due dates. */
  listOpen(): Promise<RequestView[]>;
  outbox: Outbox;
  /** The request API base URL (the embedded stand-in's once started). */
  apiUrl(): string;
}

/** Rights requests: the request flow (a middleware), the durable outbox, and the embedded stand-in API when no real one is set. */
export function createRequests(opts: RequestsOptions): Requests {
  const { api, core, log, store } = opts;
  let embedded: RunningStandin | undefined;
  const token = api.token ?? (api.url ? undefined : randomBytes(24).toString('base64url'));
  const apiUrl = () => {
    if (api.url) return api.url;
    if (!embedded) throw new ThunderError(ErrorCode.NotStarted, 'the embedded request API is not started');
    return embedded.url;
  };
  const client = new RequestApiClient({ url: apiUrl, token, timeoutMs: api.timeoutMs, log });
  const outbox = new Outbox({
    store,
    queue: opts.queue,
    client,
    core,
    log,
    baseMs: opts.retry.baseMs,
    maxMs: opts.retry.maxMs,
    retentionMs: opts.retentionMs,
    timeZone: opts.timeZone,
    parkAfterMs: opts.parkAfterMs,
    companyEmail: opts.companyEmail,
  });

  const meta = store.kv<string>('requests-meta');
  let secret: string | undefined = opts.refSecret;
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
    ctx.reply(statusReply(ctx.t, ctx.lang, views, stale, opts.timeZone, opts.companyEmail));
  }

  /** Before /forget erases the chat, the numbers of the requests still open, to keep: the chat will no longer know them. */
  async function forgetNote(ctx: Ctx, next: () => Promise<void>): Promise<void> {
    if (ctx.command === 'forget' && ctx.session.requestIds.length) {
      const { views } = await outbox.statusOf(ctx.session.requestIds);
      const open = views.filter(isOpen);
      if (open.length) ctx.reply(openRequestsNote(ctx.t, open, opts.companyEmail));
    }
    return next();
  }

  const services: Service[] = [];
  if (!api.url) {
    const file = resolve(opts.standinDir, 'request-api.sqlite');
    services.push({
      name: 'request-api',
      async start() {
        embedded = await startStandin({ file, token });
        log.info(
          { url: embedded.url },
          `REQUEST_API_URL is unset: rights requests go to the embedded stand-in request API at ${embedded.url} (data in ${file})`,
        );
      },
      async stop() {
        await embedded?.close();
      },
    });
  }

  return {
    name: 'requests',
    session: {
      flow: z.object({ name: z.string(), step: z.string(), data: z.record(z.string(), z.unknown()) }).optional(),
      requestIds: z.array(z.string()).default([]),
    },
    middleware: [
      forgetNote,
      requestFlow({
        read: (ctx) => understand(opts.engine, ctx),
        followLang,
        submit,
        status,
      }),
    ],
    onForget: (_key, session) => outbox.forget(session.requestIds),
    readyChecks: { requestApi: () => reachable(client) },
    services,
    listOpen: () => outbox.listOpen(),
    outbox,
    apiUrl,
  };
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
