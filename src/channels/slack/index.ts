import { App as BoltApp, webApi } from '@slack/bolt';
import type { Space } from '../../state/port.js';
import type { App } from '../../app.js';
import { errorInfo } from '../../core/bot.js';
import { escalationOf, type Escalation, type Stats } from '../../escalation/index.js';
import type { TicketAction } from '../../escalation/escalation.js';
import type { TFunction } from '../../i18n/index.js';
import { plain, requestList, staffAnswer, statsMessage, type Message } from './blocks.js';
import { SlackDesk } from './desk.js';
import { boltLogger } from './logger.js';
import { HonoReceiver } from './receiver.js';
import { slackToPlain, withoutMentions } from './text.js';

/** People's messages: plain, "also send to channel" thread replies, and files with a comment (the text is relayed). */
const HUMAN_SUBTYPES = new Set(['thread_broadcast', 'file_share']);

/** Slack gives up redelivering an event long before this. */
const SEEN_MS = 60 * 60 * 1000;

/**
 * Slack for staff: the privacy assistant (DM, @mention, /privacy) and the support desk (ticket
 * threads, claim/resolve buttons, request announcements). On when SLACK_BOT_TOKEN is set.
 */
export function installSlack(app: App): BoltApp | undefined {
  const { config, log } = app;
  const token = config.SLACK_BOT_TOKEN;
  if (!token) return undefined;
  const logger = boltLogger(log);
  const slackApiUrl = config.SLACK_API_URL?.replace(/\/?$/, '/');
  const base = { logger, ...(slackApiUrl ? { slackApiUrl } : {}) };
  // The relay retries desk calls itself, durably; the client must fail fast instead of retrying for minutes.
  const deskClient = new webApi.WebClient(token, { ...base, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
  const socketMode = Boolean(config.SLACK_APP_TOKEN);

  let identity: Promise<{ botId?: string; botUserId?: string }> | undefined;
  const bolt = new BoltApp({
    // auth.test once, on the first event (not at start-up), cached; a failure is retried next time.
    authorize: async () => {
      identity ??= deskClient.auth.test().then(
        (r) => ({ ...(r.bot_id ? { botId: r.bot_id } : {}), ...(r.user_id ? { botUserId: r.user_id } : {}) }),
        () => {
          identity = undefined;
          return {};
        },
      );
      return { botToken: token, ...(await identity) };
    },
    logger,
    clientOptions: { ...base, retryConfig: { retries: 2, minTimeout: 200, maxTimeout: 1000 } },
    ...(socketMode
      ? { socketMode: true, appToken: config.SLACK_APP_TOKEN! }
      : { receiver: new HonoReceiver(app.http, config.SLACK_SIGNING_SECRET!, log) }),
  });

  const staffLang = config.DEFAULT_LANG;
  const staffT = app.core.i18n.getFixedT(staffLang);
  const installed = escalationOf(app);
  const escalation = installed?.escalation;
  const dateFormat = new Intl.DateTimeFormat(staffLang === 'lv' ? 'lv-LV' : 'en-GB', { timeZone: config.SUPPORT_TIMEZONE, dateStyle: 'medium' });
  const formatDate = (iso: string) => dateFormat.format(new Date(iso));
  if (escalation && config.SLACK_SUPPORT_CHANNEL) {
    escalation.attachDesk(
      new SlackDesk({
        client: deskClient, channel: config.SLACK_SUPPORT_CHANNEL, t: staffT, formatDate,
        formatTime: (at) => escalation.formatTime(at, staffLang),
      }),
    );
  }

  const answer = (question: string): Message => {
    const a = app.engine.ask(question, staffLang);
    return staffAnswer(app.core.i18n.getFixedT(a.lang), a);
  };

  // Slack redelivers an event when our 200 did not reach it; the event id makes the second one a no-op.
  const seen = firstSeen(app.store.kv<number>('slack-event', SEEN_MS, { durable: false }));
  bolt.use(async ({ body, next }) => {
    const eventId = 'event_id' in body && typeof body.event_id === 'string' ? body.event_id : undefined;
    if (eventId && !(await seen(eventId))) return;
    await next();
  });

  bolt.message(async ({ message, say, context }) => {
    if (message.subtype !== undefined && !HUMAN_SUBTYPES.has(message.subtype)) return;
    // Any bot's message, ours included (also when auth.test could not tell us our own id).
    if (('bot_id' in message && message.bot_id) || !('text' in message) || !message.text) return;
    if (message.channel_type === 'im') {
      await say(answer(withoutMentions(message.text)));
      return;
    }
    const thread = 'thread_ts' in message ? message.thread_ts : undefined;
    // "@Thunder …" in a ticket thread is a staff question (app_mention answers it), not for the customer.
    const asksBot = context.botUserId !== undefined && message.text.includes(`<@${context.botUserId}>`);
    if (escalation && thread && thread !== message.ts && !asksBot) {
      const text = slackToPlain(message.text);
      if (text) await escalation.fromAgent(message.channel, thread, text, 'user' in message && message.user ? message.user : 'unknown');
    }
  });

  bolt.event('app_mention', async ({ event, say }) => {
    const question = withoutMentions(event.text);
    await say({ ...(question ? answer(question) : plain(staffT('slack:help'))), thread_ts: event.thread_ts ?? event.ts });
  });

  bolt.command('/privacy', async ({ command, ack }) => {
    const text = command.text.trim();
    const sub = text.toLowerCase();
    let reply: Message;
    if (!text || sub === 'help' || sub === 'palīdzība') reply = plain(staffT('slack:help'));
    else if (sub === 'requests' || sub === 'pieprasījumi') reply = await openRequests(app, staffT, formatDate);
    else if (sub === 'stats' || sub === 'statistika') reply = await stats(installed?.stats, staffT);
    else reply = answer(text);
    await ack({ response_type: 'ephemeral', ...reply });
  });

  for (const action of ['claim', 'resolve'] as const) {
    bolt.action(`esc:${action}`, async ({ ack, body, action: pressed, client }) => {
      await ack();
      if (!escalation || pressed.type !== 'button' || !pressed.value) return;
      const result = await act(escalation, pressed.value, action, body.user.id);
      const channel = body.channel?.id;
      if (result && channel) await client.chat.postEphemeral({ channel, user: body.user.id, text: staffT(`slack:action.${result}`) });
    });
  }

  bolt.error(async (err) => {
    log.error({ err: errorInfo(err) }, 'slack handler failed');
  });

  app.channels.push(socketMode ? 'slack (socket mode)' : 'slack (http /slack/events)');
  app.services.push({ name: 'slack', start: () => bolt.start().then(() => undefined), stop: () => bolt.stop().then(() => undefined) });
  return bolt;
}

/** True the first time an id is seen (per instance on SQLite; across instances on Redis, atomically). */
function firstSeen(kv: Space<number>): (id: string) => Promise<boolean> {
  return (id) => kv.once(id, SEEN_MS);
}

/** Claims or resolves; returns the reason to show the agent when nothing changed. */
async function act(escalation: Escalation, id: string, action: TicketAction, agent: string): Promise<string | undefined> {
  const result = await escalation.act(id, action, agent);
  return result.ok ? undefined : result.reason;
}

async function openRequests(app: App, t: TFunction, formatDate: (iso: string) => string): Promise<Message> {
  if (!app.requests) return plain(t('slack:requestsOff'));
  return requestList(t, await app.requests.listOpen(), Date.now(), formatDate);
}

async function stats(s: Stats | undefined, t: TFunction): Promise<Message> {
  if (!s) return plain(t('slack:statsOff'));
  return statsMessage(t, await s.lastDays(7));
}
