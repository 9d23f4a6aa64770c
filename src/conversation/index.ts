import { z } from 'zod';
import type { AnswerEngine } from '../answers/engine.js';
import type { Ctx } from '../core/bot.js';
import type { Feature } from '../core/feature.js';
import type { Channel } from '../core/types.js';
import type { Lang } from '../domain.js';
import { answerReply, didYouMeanReply, languageButtons, noAnswerReply, topicReply, topicsReply } from './replies.js';

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
    /** Unanswered questions in a row; escalation offers a person after two. */
    unanswered: number;
  }
}

export interface ConversationOptions {
  /** The knowledge base and its questions' answers. */
  engine: Pick<AnswerEngine, 'kb' | 'ask'>;
  /** How long the bot keeps a conversation, told in /start. */
  ttlDays: number;
}

/**
 * Commands (start, help, language, topics, forget) and answers from the engine. Mounted after
 * escalation and requests, so whatever reaches it is a command, a button or a question.
 */
export function createConversation({ engine, ttlDays: days }: ConversationOptions): Feature {
  const { kb } = engine;
  const middleware = async (ctx: Ctx): Promise<void> => {
    if (ctx.msg.unsupported) return ctx.reply(ctx.t('conversation:unsupported'));
    if (ctx.command !== undefined) return command(ctx, ctx.command);
    if (ctx.msg.button !== undefined) return button(ctx, ctx.msg.button);
    if (!ctx.args) return ctx.reply(ctx.t('conversation:helpHint'));
    return question(ctx, ctx.args);
  };

  async function command(ctx: Ctx, name: string): Promise<void> {
    switch (name) {
      case 'start':
        ctx.reply({
          text: `${ctx.t('conversation:start')}\n\n${ctx.t('conversation:privacy', { count: days })}`,
          buttons: [languageButtons(ctx), [{ label: ctx.t('conversation:browseTopics'), data: 'cmd:topics' }]],
        });
        return;
      case 'help':
        return ctx.reply(ctx.t('conversation:help'));
      case 'language':
        return ctx.reply({ text: ctx.t('conversation:languagePrompt'), buttons: [languageButtons(ctx)] });
      case 'topics':
        return ctx.reply(topicsReply(ctx, kb));
      case 'forget':
        return ctx.reply({
          text: ctx.t('conversation:forgetConfirm'),
          buttons: [[{ label: ctx.t('conversation:forgetYes'), data: 'forget:yes' }, { label: ctx.t('conversation:forgetNo'), data: 'forget:no' }]],
        });
      default:
        return ctx.reply(ctx.t('conversation:unknownCommand'));
    }
  }

  async function button(ctx: Ctx, data: string): Promise<void> {
    const [kind, value = ''] = splitOnce(data);
    if (kind === 'lang' && (value === 'lv' || value === 'en')) {
      setLang(ctx, value);
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

  async function question(ctx: Ctx, text: string): Promise<void> {
    const answer = engine.ask(text, ctx.lang);
    // The interface follows the language the question was asked in.
    setLang(ctx, answer.lang);
    if (answer.entry) {
      const { entry, lang, suggestions } = answer;
      return answered(ctx, answerReply(ctx, kb, { entry, lang, suggestions, right: answer.exercise ?? entry.right }), entry.id);
    }
    ctx.session.unanswered += 1;
    ctx.core.events.emit('unanswered', { channel: ctx.msg.channel, lang: answer.lang });
    if (answer.suggestions.length) return ctx.reply(didYouMeanReply(ctx, answer.suggestions, answer.lang));
    ctx.core.events.emit('fallback', { channel: ctx.msg.channel, lang: answer.lang });
    ctx.reply(noAnswerReply(ctx));
  }

  function answered(ctx: Ctx, reply: Parameters<Ctx['reply']>[0], entryId: string): void {
    ctx.session.unanswered = 0;
    ctx.core.events.emit('answered', { channel: ctx.msg.channel, entryId, lang: ctx.lang });
    ctx.reply(reply);
  }

  return { name: 'conversation', session: { unanswered: z.number().int().nonnegative().default(0) }, middleware: [middleware] };
}

function setLang(ctx: Ctx, lang: Lang): void {
  ctx.lang = lang;
  ctx.session.lang = lang;
}

function splitOnce(data: string): [string, string?] {
  const i = data.indexOf(':');
  return i < 0 ? [data] : [data.slice(0, i), data.slice(i + 1)];
}
