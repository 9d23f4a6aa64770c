import { App as BoltApp, webApi } from '@slack/bolt';
import type { i18n } from 'i18next';
import type { Space } from '../../state/port.js';
import type { Logger } from 'pino';
import type { AnswerEngine } from '../../answers/engine.js';
import { errorInfo } from '../../core/errors.js';
import type { Feature } from '../../core/feature.js';
import type { Lang } from '../../domain.js';
import type { Escalation, Stats } from '../../escalation/index.js';
import type { TicketAction } from '../../escalation/escalation.js';
import { outcomeKey, type StaffFeedback, VOTES } from '../../feedback/index.js';
import { formatDate, formatMoment } from '../../i18n/dates.js';
import type { TFunction } from '../../i18n/index.js';
import type { RequestView } from '../../requests/outbox.js';
import type { Review } from '../../learning/index.js';
import { plain, requestList, staffAnswer, statsMessage, type Message } from './blocks.js';
import { auditMessage, outcomeText, reviewActions, reviewMessage } from './review.js';
import { boltLogger } from './logger.js';
import { HonoReceiver } from './receiver.js';
import { slackToPlain, withoutMentions } from './text.js';

/** `/privacy stats` shows this many days. */
const STATS_DAYS = 7;

/** People's messages: plain, "also send to channel" thread replies, and files with a comment (the text is relayed). */
const HUMAN_SUBTYPES = new Set(['thread_broadcast', 'file_share']);

/** Slack gives up redelivering an event long before this: the TTL of the `seen` store. */
export const SEEN_MS = 60 * 60 * 1000;

/**
 * The Web API client for the desk (and the bot's own identity): the relay retries desk calls
 * itself, durably, so this client fails fast instead of retrying for minutes.
 */
export function slackDeskClient(token: string, apiUrl: string | undefined, log: Logger): webApi.WebClient {
  const slackApiUrl = apiUrl?.replace(/\/?$/, '/');
  return new webApi.WebClient(token, {
    logger: boltLogger(log),
    ...(slackApiUrl ? { slackApiUrl } : {}),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
  });
}

export interface SlackOptions {
  token: string;
  /** From slackDeskClient: shared with the desk. */
  deskClient: webApi.WebClient;
  /** Socket Mode when set; otherwise Slack posts to /slack/events signed with `signingSecret`. */
  appToken: string | undefined;
  signingSecret: string | undefined;
  apiUrl: string | undefined;
  /** Staff read Slack in the company's default language and time zone. */
  staffLang: Lang;
  timeZone: string;
  i18n: i18n;
  log: Logger;
  engine: Pick<AnswerEngine, 'ask'>;
  /** Agents' replies in ticket threads and the claim/resolve buttons. */
  escalation: Escalation | undefined;
  stats: Stats | undefined;
  requests: { listOpen(): Promise<RequestView[]> } | undefined;
  /** 👍/👎 under staff answers and the votes in `/privacy stats`. */
  feedback: StaffFeedback | undefined;
  /** Event ids already handled (Slack redelivers). */
  seen: Space<number>;
  /** Staff review of the questions Thunder could not answer (`/privacy review` and the cards' actions). */
  review?: Review | undefined;
}

/**
 * Slack for staff: the privacy assistant (DM, @mention, /privacy) and the support desk's side
 * (agents' replies in ticket threads, claim/resolve buttons).
 */
export function createSlack(opts: SlackOptions): Feature {
  const { log, escalation, deskClient, token } = opts;
  const logger = boltLogger(log);
  const slackApiUrl = opts.apiUrl?.replace(/\/?$/, '/');
  const base = { logger, ...(slackApiUrl ? { slackApiUrl } : {}) };
  const appToken = opts.appToken;
  const receiver = appToken ? undefined : new HonoReceiver(opts.signingSecret ?? '', log);

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
    ...(appToken ? { socketMode: true, appToken } : { receiver }),
  });

  const { staffLang, i18n } = opts;
  const staffT = i18n.getFixedT(staffLang);
  const formatDay = (iso: string) => formatDate(iso, staffLang, opts.timeZone, 'medium');
  const formatAt = (at: number) => formatMoment(at, staffLang, opts.timeZone);

  const { feedback } = opts;
  const answer = async (question: string): Promise<Message> => {
    const a = opts.engine.ask(question, staffLang);
    const rate = a.entry && feedback ? await feedback.offer({ entry: a.entry.id, q: question, lang: a.lang }) : undefined;
    return staffAnswer(i18n.getFixedT(a.lang), a, rate);
  };

  // Slack redelivers an event when our 200 did not reach it; the event id makes the second one a no-op.
  const seen = firstSeen(opts.seen);
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
      await say(await answer(withoutMentions(message.text)));
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
    await say({ ...(question ? await answer(question) : plain(staffT('slack:help'))), thread_ts: event.thread_ts ?? event.ts });
  });

  bolt.command('/privacy', async ({ command, ack }) => {
    const text = command.text.trim();
    const sub = text.toLowerCase();
    let reply: Message;
    if (!text || sub === 'help' || sub === 'palīdzība') reply = plain(staffT('slack:help'));
    else if (sub === 'requests' || sub === 'pieprasījumi') reply = await openRequests(opts.requests, staffT, formatDay);
    else if (sub === 'stats' || sub === 'statistika') reply = await stats(opts.stats, feedback, staffT);
    else if (REVIEW.test(sub)) {
      // In the channel: the cards' actions answer in their thread, where everyone who saw them looks.
      await ack({ response_type: 'in_channel', ...(await reviewCommand(sub.replace(REVIEW, '').trim(), command.user_id)) });
      return;
    } else reply = await answer(text);
    await ack({ response_type: 'ephemeral', ...reply });
  });

  async function reviewCommand(sub: string, user: string): Promise<Message> {
    const { review } = opts;
    if (!review) return plain(staffT('slack:review.off'));
    if (sub === 'undo' || sub === 'atsaukt') return plain(outcomeText(staffT, await review.undo(user), user, review.entries, staffLang));
    if (sub === 'log' || sub === 'žurnāls') return auditMessage(staffT, await review.auditLog(), formatAt);
    return reviewMessage(staffT, await review.open(), review.entries, staffLang);
  }
  if (opts.review) reviewActions(bolt, opts.review, staffT, staffLang);

  for (const action of ['claim', 'resolve'] as const) {
    bolt.action(`esc:${action}`, async ({ ack, body, action: pressed, client }) => {
      await ack();
      if (!escalation || pressed.type !== 'button' || !pressed.value) return;
      const result = await act(escalation, pressed.value, action, body.user.id);
      const channel = body.channel?.id;
      if (result && channel) await client.chat.postEphemeral({ channel, user: body.user.id, text: staffT(`slack:action.${result}`) });
    });
  }

  for (const vote of VOTES) {
    bolt.action(`fb:${vote}`, async ({ ack, body, action: pressed, client }) => {
      await ack();
      if (!feedback || pressed.type !== 'button') return;
      const outcome = await feedback.press(pressed.value, vote);
      const channel = body.channel?.id;
      if (channel) await client.chat.postEphemeral({ channel, user: body.user.id, text: staffT(outcomeKey(outcome, vote)) });
    });
  }

  bolt.error(async (err) => {
    log.error({ err: errorInfo(err) }, 'slack handler failed');
  });

  return {
    name: 'slack',
    channel: appToken ? 'slack (socket mode)' : 'slack (http /slack/events)',
    ...(receiver ? { routes: [{ path: '/', routes: receiver.routes }] } : {}),
    services: [{ name: 'slack', start: () => bolt.start().then(() => undefined), stop: () => bolt.stop().then(() => undefined) }],
  };
}

/** `/privacy review` (Latvian `pārskats`), then `undo` or `log`. */
const REVIEW = /^(review|pārskats)\b/u;

/** True the first time an id is seen, store-wide (atomically on both backends). */
function firstSeen(kv: Space<number>): (id: string) => Promise<boolean> {
  return (id) => kv.once(id, SEEN_MS);
}

/** Claims or resolves; returns the reason to show the agent when nothing changed. */
async function act(escalation: Escalation, id: string, action: TicketAction, agent: string): Promise<string | undefined> {
  const result = await escalation.act(id, action, agent);
  return result.ok ? undefined : result.reason;
}

async function openRequests(requests: SlackOptions['requests'], t: TFunction, formatDay: (iso: string) => string): Promise<Message> {
  if (!requests) return plain(t('slack:requestsOff'));
  return requestList(t, await requests.listOpen(), Date.now(), formatDay);
}

async function stats(s: Stats | undefined, feedback: StaffFeedback | undefined, t: TFunction): Promise<Message> {
  if (!s) return plain(t('slack:statsOff'));
  return statsMessage(t, await s.lastDays(STATS_DAYS), await feedback?.byEntry(STATS_DAYS));
}
