import type { i18n } from 'i18next';
import { z } from 'zod';
import { type Answer, type AnswerEngine, SURE_AT } from '../answers/engine.js';
import type { Ctx } from '../core/bot.js';
import type { Feature } from '../core/feature.js';
import type { Session } from '../core/session.js';
import type { Channel, Reply } from '../core/types.js';
import { LANGS, type Lang } from '../domain.js';
import type { Contacts } from '../escalation/contacts.js';
import { gapIdOf } from '../learning/gaps.js';
import { keepable } from '../learning/redact.js';
import type { GapReason, GapSink } from '../learning/types.js';
import {
  answerReply,
  didYouMeanReply,
  languageButtons,
  noAnswerReply,
  smallTalkReply,
  topicReply,
  topicsReply,
  type Handoff,
} from './replies.js';
import { followLang, intentRouter, understand } from './understand.js';

declare module '../core/events.js' {
  interface CoreEvents {
    answered: [{ channel: Channel; entryId: string; lang: Lang }];
    /** A question the policy did not answer: a fallback, or only "did you mean" suggestions. */
    unanswered: [{ channel: Channel; lang: Lang }];
    fallback: [{ channel: Channel; lang: Lang }];
  }
}

declare module '../core/session.js' {
  interface SessionFields {
    /** Unanswered questions in a row; after two the fallback asks outright whether a person should answer. */
    unanswered: number;
    /** The user chose `lang` (button, /language): answers stay in it whatever language a question is in. */
    langChosen: boolean;
    /** The question "did you mean" was shown for, redacted, until the next turn: "none of these" reports it. */
    pendingGap?: { text: string; lang: Lang; candidates: { id: string; p: number }[] } | undefined;
    /** Ids (hashes) of the gaps this user's questions made, so /forget erases those too. */
    gapIds: string[];
  }
}

export interface ConversationOptions {
  /** The knowledge base and its questions' answers. */
  engine: Pick<AnswerEngine, 'kb' | 'ask'>;
  /** How long the bot keeps a conversation, told in /start. */
  ttlDays: number;
  /** Whether a person can join now (escalation), and the company's contacts. */
  handoff: Handoff & { contacts: Contacts };
  /** Where questions the policy did not answer (or not surely) go for staff review, with the likeliest entries. */
  gaps?: { sink: GapSink; rank(text: string, lang: Lang): { id: string; p: number }[]; days: number } | undefined;
}

/**
 * Reads free text once, early: mount after the rate limit and before escalation and requests, so
 * "gribu runāt ar cilvēku" starts the same hand-off as /human (see understand.ts).
 */
export function createIntents({ engine, i18n }: { engine: Pick<AnswerEngine, 'ask'>; i18n: i18n }): Feature {
  return { name: 'intents', middleware: [intentRouter(engine, i18n)] };
}

/**
 * Commands (start, help, language, topics, forget) and answers from the engine. Mounted after
 * escalation and requests, so whatever reaches it is a command, a button or a question.
 */
export function createConversation({ engine, ttlDays: days, handoff, gaps }: ConversationOptions): Feature {
  const { kb } = engine;
  const middleware = async (ctx: Ctx): Promise<void> => {
    const pending = ctx.session.pendingGap;
    ctx.session.pendingGap = undefined;
    if (ctx.msg.button === 'gap:none') return noneOfThese(ctx, pending);
    if (ctx.msg.unsupported) return ctx.reply(ctx.t('conversation:unsupported'));
    if (ctx.command !== undefined) return command(ctx, ctx.command);
    if (ctx.msg.button !== undefined) return button(ctx, ctx.msg.button);
    if (!ctx.args) return ctx.reply(ctx.t('conversation:helpHint'));
    return question(ctx, understand(engine, ctx));
  };

  async function command(ctx: Ctx, name: string): Promise<void> {
    switch (name) {
      case 'start': {
        // The web page has its own "delete my chat" link; elsewhere /forget does it.
        const privacy =
          ctx.msg.channel === 'web'
            ? ctx.t('conversation:privacyWeb', { count: days, link: ctx.t('web:forget') })
            : ctx.t('conversation:privacy', { count: days });
        const review = gaps ? ` ${ctx.t('conversation:reviewNotice', { count: gaps.days })}` : '';
        ctx.reply({
          text: `${ctx.t('conversation:start')}\n\n${privacy}${review}`,
          buttons: [languageButtons(ctx), [{ label: ctx.t('conversation:browseTopics'), data: 'cmd:topics' }]],
        });
        return;
      }
      case 'help':
        return ctx.reply({
          text: ctx.t('conversation:help'),
          buttons: [[{ label: ctx.t('conversation:browseTopics'), data: 'cmd:topics' }]],
        });
      case 'language':
        return ctx.reply({ text: ctx.t('conversation:languagePrompt'), buttons: [languageButtons(ctx)] });
      case 'topics':
        return ctx.reply(topicsReply(ctx, kb));
      case 'forget': {
        const buttons = [
          [
            { label: ctx.t('conversation:forgetYes'), data: 'forget:yes' },
            { label: ctx.t('conversation:forgetNo'), data: 'forget:no' },
          ],
        ];
        // "forget" typed as a word may mean the company's erasure of one's data: both are offered.
        if (ctx.msg.text && !ctx.msg.text.trim().startsWith('/')) {
          return ctx.reply({
            text: `${ctx.t('conversation:forgetConfirm')}\n\n${ctx.t('conversation:forgetOrErasure')}`,
            buttons: [...buttons, [{ label: ctx.t('conversation:erasureRequest'), data: 'rq:start:erasure' }]],
          });
        }
        return ctx.reply({ text: ctx.t('conversation:forgetConfirm'), buttons });
      }
      default:
        return ctx.reply(ctx.t('conversation:unknownCommand'));
    }
  }

  async function button(ctx: Ctx, data: string): Promise<void> {
    const [kind, value = ''] = splitOnce(data);
    if (kind === 'lang' && (value === 'lv' || value === 'en')) {
      chooseLang(ctx, value);
      return ctx.reply(ctx.t('conversation:languageSet'));
    }
    if (kind === 'forget') {
      if (value !== 'yes') return ctx.reply(ctx.t('conversation:forgetCancelled'));
      await ctx.core.forget(ctx);
      return ctx.reply(ctx.t('conversation:forgotten'));
    }
    if (kind === 'topic') {
      const reply = topicReply(ctx, kb, value);
      if (reply) return ctx.reply(reply);
    }
    if (kind === 'a') {
      const entry = kb.entries.get(value);
      if (entry) return answered(ctx, answerReply(ctx, kb, { entry, lang: ctx.lang }), entry.id);
    }
    ctx.reply(ctx.t('conversation:staleButton'));
  }

  async function question(ctx: Ctx, answer: Answer): Promise<void> {
    if (answer.intent === 'other_language') return otherLanguage(ctx, answer.otherLang);
    followLang(ctx, answer.lang);
    if (answer.intent === 'greeting' || answer.intent === 'thanks') return ctx.reply(smallTalkReply(ctx, answer.intent));
    if (answer.entry) {
      const { entry, suggestions } = answer;
      if (answer.intent === 'policy' && answer.confidence < SURE_AT) await gap(ctx, 'unsure', answer.lang);
      return answered(ctx, answerReply(ctx, kb, { entry, lang: ctx.lang, suggestions, right: answer.exercise ?? entry.right }), entry.id);
    }
    ctx.session.unanswered += 1;
    ctx.core.events.emit('unanswered', { channel: ctx.msg.channel, lang: ctx.lang });
    const candidates = await gap(ctx, 'unanswered', answer.lang);
    if (answer.suggestions.length) {
      const text = gaps && keepable(ctx.args);
      if (text) ctx.session.pendingGap = { text, lang: answer.lang, candidates };
      for (const reply of didYouMeanReply(ctx, answer.suggestions, ctx.lang, handoff, gaps !== undefined)) ctx.reply(reply);
      return;
    }
    ctx.core.events.emit('fallback', { channel: ctx.msg.channel, lang: ctx.lang });
    ctx.reply(noAnswerReply(ctx, handoff, ctx.session.unanswered));
  }

  /** Hands this turn's question to staff review; returns the likeliest entries it was given with. */
  async function gap(ctx: Ctx, reason: GapReason, lang: Lang): Promise<{ id: string; p: number }[]> {
    if (!gaps) return [];
    const candidates = gaps.rank(ctx.args, lang);
    await gaps.sink.capture({ text: ctx.args, lang, channel: ctx.msg.channel, reason, candidates });
    remember(ctx, ctx.args, lang);
    return candidates;
  }

  function remember(ctx: Ctx, text: string, lang: Lang): void {
    const id = gapIdOf(text, lang);
    if (id && !ctx.session.gapIds.includes(id)) ctx.session.gapIds = [...ctx.session.gapIds, id].slice(-MAX_GAP_IDS);
  }

  /** "None of these" under "did you mean": the question goes to review marked so, and the customer gets the honest fallback. */
  async function noneOfThese(ctx: Ctx, pending: ConversationFields['pendingGap']): Promise<void> {
    if (pending && gaps) {
      const { text, lang, candidates } = pending;
      await gaps.sink.capture({ text, lang, channel: ctx.msg.channel, reason: 'none_of_these', candidates });
      remember(ctx, text, lang);
    }
    ctx.core.events.emit('fallback', { channel: ctx.msg.channel, lang: ctx.lang });
    ctx.reply(noAnswerReply(ctx, handoff, ctx.session.unanswered));
  }

  /** A language Thunder does not serve: a short note in it (English where locales/ has none), with the contacts. */
  function otherLanguage(ctx: Ctx, code: string | undefined): void {
    const i18n = ctx.core.i18n;
    const lng = code && i18n.hasResourceBundle(code, 'conversation') ? code : 'en';
    const { email, phone } = handoff.contacts;
    ctx.reply({ text: i18n.getFixedT(lng)('conversation:otherLanguage', { email, phone }), buttons: [languageButtons(ctx)] });
  }

  function answered(ctx: Ctx, reply: Reply, entryId: string): void {
    ctx.session.unanswered = 0;
    ctx.core.events.emit('answered', { channel: ctx.msg.channel, entryId, lang: ctx.lang });
    ctx.reply({ ...reply, entry: entryId });
  }

  return {
    name: 'conversation',
    session: {
      unanswered: z.number().int().nonnegative().default(0),
      langChosen: z.boolean().default(false),
      gapIds: z.array(z.string()).default([]),
      pendingGap: z
        .object({ text: z.string(), lang: z.enum(LANGS), candidates: z.array(z.object({ id: z.string(), p: z.number() })) })
        .optional()
        .catch(undefined),
    },
    middleware: [middleware],
  };
}

type ConversationFields = Pick<Session, 'pendingGap'>;

/** Gap ids a session remembers for /forget: the latest ones (gaps live REVIEW_TTL_DAYS anyway). */
const MAX_GAP_IDS = 100;

/** An explicit choice: answers stay in this language, whatever language the next question is in. */
function chooseLang(ctx: Ctx, lang: Lang): void {
  ctx.lang = lang;
  ctx.session.lang = lang;
  ctx.session.langChosen = true;
}

function splitOnce(data: string): [string, string?] {
  const i = data.indexOf(':');
  return i < 0 ? [data] : [data.slice(0, i), data.slice(i + 1)];
}
