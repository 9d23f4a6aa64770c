import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { AnswerEngine } from '../answers/engine.js';
import type { Ctx, Middleware } from '../core/bot.js';
import { errorInfo } from '../core/errors.js';
import type { CoreEmitter } from '../core/events.js';
import type { Feature } from '../core/feature.js';
import type { Button, Channel, Reply } from '../core/types.js';
import { LANGS, type Lang } from '../domain.js';
import type { GapSink } from '../learning/types.js';
import type { Space } from '../state/port.js';
import { type EntryVotes, FeedbackStats, VOTES, type Vote } from './stats.js';

export { VOTES, type EntryVotes, type Vote };

declare module '../core/events.js' {
  interface CoreEvents {
    /** A 👍/👎 counted, once per answer, for a knowledge-base entry. */
    feedback: [{ channel: Channel; entryId: string; vote: Vote }];
  }
}

/** A rated answer's tag: random, so it names no user and cannot be guessed for another's answer. */
const tag = z.string().regex(/^[A-Za-z0-9_-]{8}$/);

/**
 * An answer that can be rated: the tag its buttons carry, its entry, the question as the user
 * typed it (none for an answer opened by a button) and the answer's language.
 */
const ratedSchema = z.object({ tag, entry: z.string(), q: z.string().optional(), lang: z.enum(LANGS) });
export type Rated = z.infer<typeof ratedSchema>;

declare module '../core/session.js' {
  interface SessionFields {
    /** The user's last answers that can be rated, newest last: the question stays in the session (its TTL, /forget). */
    rated: Rated[];
  }
}

/** `fb:<vote>:<tag>`: what a rating button sends back, forged or not. */
const pressSchema = z
  .string()
  .transform((data) => data.split(':'))
  .pipe(z.tuple([z.literal('fb'), z.enum(VOTES), tag]))
  .transform(([, vote, t]) => ({ vote, tag: t }));

/** Only the latest answers' buttons count; older ones answer that they can no longer be rated. */
const KEEP_RATED = 5;
/** As the core keeps turns. */
const MAX_QUESTION_CHARS = 1000;
/** After a 👎, up to this many other entries the question may have meant, each at least this likely. */
const MAX_OTHER_ENTRIES = 2;
const OTHER_ENTRY_AT = 0.05;

export type Outcome = 'thanks' | 'already' | 'stale' | 'invalid';

export interface FeedbackOptions {
  /** The knowledge base (read on every vote, so a rebuilt one is seen) and the engine's candidates for a 👎. */
  engine: Pick<AnswerEngine, 'kb' | 'explain'>;
  events: CoreEmitter;
  /** `once` per rated answer: a second press does not count. */
  votes: Space<unknown>;
  /** Staff answers in Slack that can be rated, by tag (staff have no core session). */
  staffAnswers: Space<Rated>;
  /** Daily votes per entry for `/privacy stats`. */
  stats: Space<unknown>;
  /** How long a rated answer stays rateable: the state TTL. */
  ttlMs: number;
  /** Days of the stats are the company's days. */
  timeZone: string;
  /** Masks personal data in the question kept with a rated answer (it waits there for a 👎). */
  redact: (text: string) => string;
  /** Where a 👎 goes as a gap (the learning feature); without one it is only counted. */
  gaps?: GapSink | undefined;
  /** Whether a person can join now, else the company's contacts: offered after a 👎. */
  handoff?: { available(): boolean; contactText(lang: Lang): string };
  log: Logger;
}

/** What Slack's staff assistant uses: its answers are not core turns. */
export interface StaffFeedback {
  /** Remembers a staff answer; returns the tag its rating buttons carry. */
  offer(answer: Omit<Rated, 'tag'>): Promise<string>;
  /** A staff member pressed 👍/👎 on the answer with this button value. */
  press(value: unknown, vote: Vote): Promise<Outcome>;
  /** Votes per entry over the last days, for `/privacy stats`. */
  byEntry(days?: number): Promise<EntryVotes[]>;
}

export interface FeedbackFeature extends Feature {
  readonly staff: StaffFeedback;
}

/**
 * Answer feedback: 👍/👎 buttons under every answer, each answer counted once per vote (metrics,
 * `/privacy stats`), a 👎 handed to the gap sink with the question from the user's own session.
 * Its own feature rather than part of the conversation: it owns its session slot, buttons, store
 * spaces and event, and Slack's staff answers (no core turns) use it too. Mount before escalation
 * and the conversation: it takes its own buttons first and adds them under whatever answered.
 */
export function createFeedback(opts: FeedbackOptions): FeedbackFeature {
  const { engine, events, votes, log } = opts;
  const stats = new FeedbackStats(opts.stats, opts.timeZone);

  const middleware: Middleware = async (ctx, next) => {
    const data = ctx.msg.button;
    if (data?.startsWith('fb:')) {
      const pressed = pressSchema.safeParse(data);
      if (!pressed.success) return ctx.reply(ctx.t('feedback:invalid'));
      const { vote } = pressed.data;
      const rated = ctx.session.rated.find((r) => r.tag === pressed.data.tag);
      const outcome = rated ? await count(rated, vote, ctx.msg.channel) : 'stale';
      if (rated && outcome === 'thanks' && vote === 'down') return ctx.reply(nextSteps(ctx, rated));
      return ctx.reply(ctx.t(outcomeKey(outcome, vote)));
    }
    await next();
    offer(ctx);
  };

  /** Adds the rating buttons under this turn's answer and remembers it in the session. */
  function offer(ctx: Ctx): void {
    const reply = ctx.replies.find((r) => r.entry !== undefined);
    if (!reply?.entry) return;
    const t = newTag();
    reply.buttons = [...(reply.buttons ?? []), ratingButtons(ctx.t, t)];
    const q = ctx.msg.text !== undefined && ctx.args ? opts.redact(ctx.args.slice(0, MAX_QUESTION_CHARS)) : undefined;
    const rated: Rated = { tag: t, entry: reply.entry, lang: ctx.lang, ...(q ? { q } : {}) };
    ctx.session.rated = [...ctx.session.rated, rated].slice(-KEEP_RATED);
  }

  async function count(rated: Rated, vote: Vote, channel: Channel): Promise<Outcome> {
    // Metric labels stay bounded: only an entry the knowledge base has is counted.
    if (!engine.kb.entries.has(rated.entry)) return 'stale';
    if (!(await votes.once(rated.tag, opts.ttlMs))) return 'already';
    events.emit('feedback', { channel, entryId: rated.entry, vote });
    await stats.count(rated.entry, vote);
    if (vote === 'down' && rated.q && opts.gaps) await gap(rated, rated.q, channel);
    return 'thanks';
  }

  async function gap(rated: Rated, text: string, channel: Channel): Promise<void> {
    const candidates = engine
      .explain(text, rated.lang, false)
      .candidates.filter((c) => engine.kb.entries.has(c.label))
      .map((c) => ({ id: c.label, p: c.p }));
    try {
      await opts.gaps?.capture({ reason: 'thumbs_down', text, lang: rated.lang, channel, candidates });
    } catch (err) {
      // The vote is counted; a sink that failed must not cost the user the thank-you.
      log.error({ err: errorInfo(err), channel }, 'feedback: gap not captured');
    }
  }

  /** A 👎 is no dead end: the other entries the question may have meant, the topics, and a person or the contacts. */
  function nextSteps(ctx: Ctx, rated: Rated): Reply {
    const { kb } = engine;
    const others = rated.q
      ? engine
          .explain(rated.q, rated.lang, false)
          .candidates.filter((c) => c.label !== rated.entry && c.p >= OTHER_ENTRY_AT)
          .flatMap((c) => kb.entries.get(c.label) ?? [])
          .slice(0, MAX_OTHER_ENTRIES)
      : [];
    const buttons: Button[][] = others.map((e) => [{ label: e.title[ctx.lang], data: `a:${e.id}` }]);
    buttons.push([{ label: ctx.t('conversation:browseTopics'), data: 'cmd:topics' }]);
    const person = opts.handoff?.available();
    if (person) buttons.push([{ label: ctx.t('conversation:askHuman'), data: 'cmd:human' }]);
    const lead = ctx.t(others.length ? 'feedback:nextStepsOthers' : 'feedback:nextSteps');
    const contacts = !person && opts.handoff ? ` ${opts.handoff.contactText(ctx.lang)}` : '';
    return { text: `${ctx.t('feedback:thanksDown')}\n\n${lead}${contacts}`, buttons };
  }

  const staff: StaffFeedback = {
    async offer(answer) {
      const t = newTag();
      await opts.staffAnswers.set(t, { ...answer, tag: t, ...(answer.q ? { q: opts.redact(answer.q.slice(0, MAX_QUESTION_CHARS)) } : {}) });
      return t;
    },
    async press(value, vote) {
      const t = tag.safeParse(value);
      if (!t.success) return 'invalid';
      const rated = ratedSchema.safeParse(await opts.staffAnswers.get(t.data));
      return rated.success ? count(rated.data, vote, 'slack') : 'stale';
    },
    byEntry: (days) => stats.byEntry(days),
  };

  return {
    name: 'feedback',
    session: { rated: z.array(ratedSchema).max(KEEP_RATED).catch([]) },
    middleware: [middleware],
    // A 👎 made a gap of the rated question, which may be older than the turns the session keeps.
    onForget: async (_key, session) => {
      const texts = session.rated.flatMap((r) => (r.q ? [r.q] : []));
      if (texts.length) await opts.gaps?.forget(texts);
    },
    staff,
  };
}

function newTag(): string {
  return randomBytes(6).toString('base64url');
}

/** 👍 and 👎 side by side, last under the answer. */
function ratingButtons(t: Ctx['t'], rated: string): Button[] {
  return [
    { label: t('feedback:up'), data: `fb:up:${rated}`, icon: 'up' },
    { label: t('feedback:down'), data: `fb:down:${rated}`, icon: 'down' },
  ];
}

/** The thank-you (or why nothing was counted) for an outcome and vote. */
export function outcomeKey(outcome: Outcome, vote: Vote): string {
  return outcome === 'thanks' ? (vote === 'up' ? 'feedback:thanksUp' : 'feedback:thanksDown') : `feedback:${outcome}`;
}
