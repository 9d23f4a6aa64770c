import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { autoRetry } from '@grammyjs/auto-retry';
import { run, sequentialize, type RunnerHandle } from '@grammyjs/runner';
import { Bot, GrammyError, HttpError, webhookCallback, type Api } from 'grammy';
import { Hono } from 'hono';
import type { i18n } from 'i18next';
import type { Logger } from 'pino';
import { DeliveryError, errorInfo } from '../../core/errors.js';
import type { Feature, Service } from '../../core/feature.js';
import type { Incoming, Reply } from '../../core/types.js';
import { LANGS } from '../../domain.js';
import { limitBody } from '../../http/json.js';
import { renderReplies } from './render.js';
import { toIncoming } from './translate.js';

/** Telegram's updates are small; anything near this is not one. */
const MAX_UPDATE_BYTES = 256 * 1024;

const ALLOWED_UPDATES = ['message', 'callback_query'] as const;
/**
 * Sockets to the Bot API. Telegram accepts ~30 messages/s per bot anyway; hundreds of parallel
 * connections only make the slowest replies slower (measured in bench/telegram.ts).
 */
const MAX_SOCKETS = 32;
const COMMANDS = ['start', 'help', 'topics', 'language', 'rights', 'status', 'human', 'leave', 'forget'] as const;

export interface TelegramOptions {
  token: string;
  apiRoot: string;
  /** Webhook mode: Telegram posts updates to `url` with `secret`; otherwise long polling. */
  webhook?: { url: string; secret: string | undefined } | undefined;
  /** `runner` (default): concurrent long polling, ordered per chat; `simple`: grammY's one-at-a-time bot.start (bench baseline). */
  polling?: 'runner' | 'simple' | undefined;
  /** The core's turn: a message in, its replies out. */
  handle(msg: Incoming): Promise<Reply[]>;
  /** For the command menu's descriptions. */
  i18n: i18n;
  log: Logger;
}

/** The Telegram channel: translates updates into the core's Incoming and Replies into sendMessage. */
export function createTelegram(opts: TelegramOptions): Feature {
  const { apiRoot, log } = opts;
  const agent = new (apiRoot.startsWith('https:') ? HttpsAgent : HttpAgent)({ keepAlive: true, maxSockets: MAX_SOCKETS });
  const bot = new Bot(opts.token, { client: { apiRoot, baseFetchConfig: { agent } } });
  bot.api.config.use(autoRetry({ maxRetryAttempts: 5, maxDelaySeconds: 60 }));

  // Telegram ordering per chat: a chat's next update waits until its previous replies are sent.
  bot.use(sequentialize((ctx) => String(ctx.chat?.id ?? ctx.from?.id ?? '')));
  bot.use(async (ctx) => {
    // The button's spinner is stopped while the core works, not before: no extra round trip per press.
    const ack = ctx.callbackQuery
      ? ctx.answerCallbackQuery().catch((err: unknown) => log.warn({ err: errorInfo(err) }, 'telegram: answerCallbackQuery failed'))
      : undefined;
    const incoming = toIncoming(ctx.update);
    if (incoming) await deliver(ctx.api, incoming.chatId, await opts.handle(incoming));
    await ack;
  });
  bot.catch((err) => {
    log.error({ err: errorInfo(err.error), updateId: err.ctx.update.update_id }, 'telegram: update failed');
  });

  const feature = {
    name: 'telegram',
    channel: 'telegram',
    senders: { telegram: { send: (chatId: string, replies: Reply[]) => deliver(bot.api, chatId, replies) } },
  };

  const webhook = opts.webhook;
  if (webhook) {
    const handle = webhookCallback(bot, 'hono', { secretToken: webhook.secret, onTimeout: 'return' });
    const routes = new Hono();
    // An update is a few kilobytes; a bigger body is refused before it is read, secret or not.
    routes.post(new URL(webhook.url).pathname, limitBody(MAX_UPDATE_BYTES), async (c) => {
      try {
        return await handle(c);
      } catch (err) {
        log.warn({ err: errorInfo(err) }, 'telegram: bad webhook request');
        return c.body('', 400);
      }
    });
    const service: Service = {
      name: 'telegram',
      async start() {
        await bot.init();
        await bot.api.setWebhook(webhook.url, { secret_token: webhook.secret, allowed_updates: [...ALLOWED_UPDATES] });
        await setCommands(opts, bot);
        log.info({ botId: bot.botInfo.id, mode: 'webhook' }, 'telegram: on');
      },
      async stop() {},
    };
    return { ...feature, routes: [{ path: '/', routes }], services: [service] };
  }

  let runner: RunnerHandle | undefined;
  let simple: Promise<void> | undefined;
  const service: Service = {
    name: 'telegram',
    async start() {
      await bot.init();
      // A webhook left by an earlier deployment would make getUpdates fail with 409.
      await bot.api.deleteWebhook();
      await setCommands(opts, bot);
      if (opts.polling === 'simple') {
        simple = bot.start({ allowed_updates: [...ALLOWED_UPDATES], timeout: 30 });
      } else {
        runner = run(bot, { runner: { fetch: { timeout: 30, allowed_updates: [...ALLOWED_UPDATES] }, silent: true } });
      }
      log.info({ botId: bot.botInfo.id, mode: opts.polling ?? 'runner' }, 'telegram: on');
    },
    async stop() {
      if (runner?.isRunning()) await runner.stop();
      if (bot.isRunning()) await bot.stop();
      await simple;
    },
  };
  return { ...feature, services: [service] };
}

async function deliver(api: Api, chatId: string, replies: Reply[]): Promise<void> {
  try {
    for (const m of renderReplies(replies)) {
      await api.sendMessage(chatId, m.html, {
        parse_mode: 'HTML',
        link_preview_options: { is_disabled: true },
        ...(m.keyboard ? { reply_markup: { inline_keyboard: m.keyboard } } : {}),
      });
    }
  } catch (err) {
    throw deliveryError(err);
  }
}

/**
 * grammY's errors as a DeliveryError: a 4xx other than 429 (bot blocked, chat deleted) will be
 * refused again; a 429 carries Telegram's retry_after; network failures and 5xx are worth retrying.
 */
export function deliveryError(err: unknown): unknown {
  if (err instanceof GrammyError) {
    const code = err.error_code;
    const retryAfter = err.parameters.retry_after;
    return new DeliveryError('telegram', `Bot API error ${code}`, {
      retryable: code === 429 || code >= 500,
      retryAfterMs: retryAfter ? retryAfter * 1000 : undefined,
      cause: err,
    });
  }
  if (err instanceof HttpError) return new DeliveryError('telegram', 'Bot API unreachable', { retryable: true, cause: err });
  return err;
}

/** The command menu in each language; a failure here must not keep the bot from running. */
async function setCommands({ i18n, log }: Pick<TelegramOptions, 'i18n' | 'log'>, bot: Bot): Promise<void> {
  const list = (lang: string) =>
    COMMANDS.map((command) => ({ command, description: i18n.t(`telegram:commands.${command}`, { lng: lang }) }));
  try {
    for (const lang of LANGS) await bot.api.setMyCommands(list(lang), { language_code: lang });
    await bot.api.setMyCommands(list('en'));
  } catch (err) {
    log.warn({ err: errorInfo(err) }, 'telegram: setMyCommands failed');
  }
}
