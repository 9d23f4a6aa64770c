import type { i18n } from 'i18next';
import type { Answer, AnswerEngine, Intent } from '../answers/engine.js';
import type { Lang } from '../answers/schema.js';
import type { Ctx, Middleware } from '../core/bot.js';
import { LANGS } from '../domain.js';

const read = new WeakMap<Ctx, Answer>();

/** The engine's reading of this turn's text: asked once per message, by whichever part asks first. */
export function understand(engine: Pick<AnswerEngine, 'ask'>, ctx: Ctx): Answer {
  const known = read.get(ctx);
  if (known) return known;
  const answer = engine.ask(ctx.args, ctx.lang);
  read.set(ctx, answer);
  return answer;
}

/** Free text that asks for what a command does runs that command, so both behave the same on every channel. */
const COMMAND_OF: Partial<Record<Intent, string>> = { human: 'human', status: 'status', help: 'help' };

/** Inside an open form, the engine's reading must be at least this sure to run a command. */
const IN_FORM_AT = 0.8;
/** Longer text is never only a command's keyword. */
const MAX_KEYWORD = 40;

/** A message that is only a command's keyword ("forget", "aizmirst", locales: conversation.keywords) is that command. */
export function keywordMap(i18n: i18n): Map<string, string> {
  const map = new Map<string, string>();
  for (const lng of LANGS) {
    const byCommand = i18n.t('conversation:keywords', { lng, returnObjects: true }) as unknown as Record<string, string[]>;
    for (const [command, words] of Object.entries(byCommand)) for (const w of words) map.set(normalizeKeyword(w), command);
  }
  return map;
}

export function normalizeKeyword(text: string): string {
  return text
    .toLowerCase()
    .replace(/[.!?…]+$/u, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Reads free text early (after the rate limit, before escalation and requests): a command's
 * keyword ("forget") runs it, "gribu runāt ar cilvēku" runs /human, "what is the status of my
 * request?" /status, inside a request form too (the form then pauses). An open ticket owns the
 * text, so it is not read then.
 */
export function intentRouter(engine: Pick<AnswerEngine, 'ask'>, i18n: i18n): Middleware {
  const keywords = keywordMap(i18n);
  return async (ctx, next) => {
    const free = ctx.command === undefined && !ctx.msg.button && !ctx.msg.unsupported && ctx.args !== '';
    if (!free || ctx.session.ticketId) return next();
    const keyword = ctx.args.length <= MAX_KEYWORD ? keywords.get(normalizeKeyword(ctx.args)) : undefined;
    if (keyword) {
      ctx.command = keyword;
      return next();
    }
    const answer = understand(engine, ctx);
    const command = COMMAND_OF[answer.intent];
    // An open form's answer can read like a wish ("tālr. 26123456" like "call me"): only a sure reading runs the command.
    const form = ctx.session.flow !== undefined && ctx.session.flow.data.parked !== true;
    if (command && (!form || answer.confidence >= IN_FORM_AT)) {
      followLang(ctx, answer.lang);
      ctx.command = command;
    }
    return next();
  };
}

/**
 * Replies follow the language a message is written in, until the user chooses one. A message of
 * fewer than two words ("ok", "super", "👍", "?", "help") is typed alike in both languages: it
 * keeps the conversation's language, and only a sentence read as the other language switches it.
 */
export function followLang(ctx: Ctx, lang: Lang): void {
  if (ctx.session.langChosen) return;
  if (ctx.session.lang && lang !== ctx.session.lang && words(ctx.args) < 2) return;
  ctx.lang = lang;
  ctx.session.lang = lang;
}

function words(text: string): number {
  return text.match(/\p{L}{2,}/gu)?.length ?? 0;
}
