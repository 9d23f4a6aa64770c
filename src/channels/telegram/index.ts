import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { autoRetry } from '@grammyjs/auto-retry';
import { run, sequentialize, type RunnerHandle } from '@grammyjs/runner';
import { Bot, webhookCallback, type Api } from 'grammy';
import type { App } from '../../app.js';
import { errorInfo } from '../../core/bot.js';
import type { Reply } from '../../core/types.js';
import { LANGS } from '../../answers/schema.js';
import { renderReplies } from './render.js';
import { toIncoming } from './translate.js';

const ALLOWED_UPDATES = ['message', 'callback_query'] as const;
/**
 * Sockets to the Bot API. Telegram accepts ~30 messages/s per bot anyway; hundreds of parallel
 * connections only make the slowest replies slower (measured in bench/telegram.ts).
 */
const MAX_SOCKETS = 32;
const COMMANDS = ['start', 'help', 'topics', 'language', 'rights', 'status', 'human', 'forget'] as const;

export interface TelegramOptions {
  /** `runner` (default): concurrent long polling, ordered per chat; `simple`: grammY's one-at-a-time bot.start (bench baseline). */
  polling?: 'runner' | 'simple';
}

/**
 * The Telegram channel: translates updates into the core's Incoming and Replies into sendMessage.
 * On only when TELEGRAM_BOT_TOKEN is set; webhook mode when TELEGRAM_WEBHOOK_URL is set.
 */
export function installTelegram(app: App, opts: TelegramOptions = {}): Bot | undefined {
  const { config, core, log } = app;
  if (!config.TELEGRAM_BOT_TOKEN) return undefined;
  const apiRoot = config.TELEGRAM_API_ROOT;
  const agent = new (apiRoot.startsWith('https:') ? HttpsAgent : HttpAgent)({ keepAlive: true, maxSockets: MAX_SOCKETS });
  const bot = new Bot(config.TELEGRAM_BOT_TOKEN, { client: { apiRoot, baseFetchConfig: { agent } } });
  bot.api.config.use(autoRetry({ maxRetryAttempts: 5, maxDelaySeconds: 60 }));

  // Telegram ordering per chat: a chat's next update waits until its previous replies are sent.
  bot.use(sequentialize((ctx) => String(ctx.chat?.id ?? ctx.from?.id ?? '')));
  bot.use(async (ctx) => {
    // The button's spinner is stopped while the core works, not before: no extra round trip per press.
    const ack = ctx.callbackQuery
      ? ctx.answerCallbackQuery().catch((err: unknown) => log.warn({ err: errorInfo(err) }, 'telegram: answerCallbackQuery failed'))
      : undefined;
    const incoming = toIncoming(ctx.update);
    if (incoming) await deliver(ctx.api, incoming.chatId, await core.handle(incoming));
    await ack;
  });
  bot.catch((err) => {
    log.error({ err: errorInfo(err.error), updateId: err.ctx.update.update_id }, 'telegram: update failed');
  });

  core.registerSender('telegram', { send: (chatId, replies) => deliver(bot.api, chatId, replies) });
  app.channels.push('telegram');

  const webhookUrl = config.TELEGRAM_WEBHOOK_URL;
  if (webhookUrl) {
    const handle = webhookCallback(bot, 'hono', { secretToken: config.TELEGRAM_WEBHOOK_SECRET, onTimeout: 'return' });
    app.http.post(new URL(webhookUrl).pathname, async (c) => {
      try {
        return await handle(c);
      } catch (err) {
        log.warn({ err: errorInfo(err) }, 'telegram: bad webhook request');
        return c.body('', 400);
      }
    });
    app.services.push({
      name: 'telegram',
      async start() {
        await bot.init();
        await bot.api.setWebhook(webhookUrl, { secret_token: config.TELEGRAM_WEBHOOK_SECRET, allowed_updates: [...ALLOWED_UPDATES] });
        await setCommands(app, bot);
        log.info({ botId: bot.botInfo.id, mode: 'webhook' }, 'telegram: on');
      },
      async stop() {},
    });
    return bot;
  }

  let runner: RunnerHandle | undefined;
  let simple: Promise<void> | undefined;
  app.services.push({
    name: 'telegram',
    async start() {
      await bot.init();
      // A webhook left by an earlier deployment would make getUpdates fail with 409.
      await bot.api.deleteWebhook();
      await setCommands(app, bot);
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
  });
  return bot;
}

async function deliver(api: Api, chatId: string, replies: Reply[]): Promise<void> {
  for (const m of renderReplies(replies)) {
    await api.sendMessage(chatId, m.html, {
      parse_mode: 'HTML',
      link_preview_options: { is_disabled: true },
      ...(m.keyboard ? { reply_markup: { inline_keyboard: m.keyboard } } : {}),
    });
  }
}

/** The command menu in each language; a failure here must not keep the bot from running. */
async function setCommands(app: App, bot: Bot): Promise<void> {
  const list = (lang: string) => COMMANDS.map((command) => ({ command, description: app.core.i18n.t(`telegram:commands.${command}`, { lng: lang }) }));
  try {
    for (const lang of LANGS) await bot.api.setMyCommands(list(lang), { language_code: lang });
    await bot.api.setMyCommands(list('en'));
  } catch (err) {
    app.log.warn({ err: errorInfo(err) }, 'telegram: setMyCommands failed');
  }
}
