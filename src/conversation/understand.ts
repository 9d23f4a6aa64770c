import type { Answer, AnswerEngine, Intent } from '../answers/engine.js';
import type { Lang } from '../answers/schema.js';
import type { Ctx, Middleware } from '../core/bot.js';

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

/**
 * Reads free text early (after the rate limit, before escalation and requests) and turns "gribu
 * runāt ar cilvēku" into /human, "what is the status of my request?" into /status. An open ticket
 * or form owns the text, so it is not read then.
 */
export function intentRouter(engine: Pick<AnswerEngine, 'ask'>): Middleware {
  return async (ctx, next) => {
    const free = ctx.command === undefined && !ctx.msg.button && !ctx.msg.unsupported && ctx.args !== '';
    if (!free || ctx.session.ticketId || ctx.session.flow) return next();
    const answer = understand(engine, ctx);
    const command = COMMAND_OF[answer.intent];
    if (command) {
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
