import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Answer } from '../answers/engine.js';
import { RIGHTS, type Lang, type Right } from '../domain.js';
import type { Ctx, Middleware, Next } from '../core/bot.js';
import type { Button, Reply } from '../core/types.js';
import { MAX_DETAILS } from './contract.js';
import { checkDetails, containsPersonalCode, isOneWord, parseContact, parseName } from './validate.js';

/**
 * The rights-request conversation: right → name → e-mail/phone → details → notice and summary →
 * confirm / edit / cancel. The draft lives in ctx.session.flow, so it survives restarts. A wish to
 * exercise a right read from free text is confirmed first unless the engine is sure of it; a
 * question, a command or browsing inside the form pauses it (`parked`) with a visible way back.
 */

const FLOW = 'request';
const STEPS = ['right', 'name', 'contact', 'details', 'summary', 'edit'] as const;
type Step = (typeof STEPS)[number];
const STEP_NO: Record<Step, number> = { right: 1, name: 2, contact: 3, details: 4, summary: 5, edit: 5 };
const TOTAL = 5;
const FIELDS = ['right', 'name', 'contact', 'details'] as const;
/** A user who comes back after this long is first shown where they are, not taken at their word. */
const RESUME_AFTER_MS = 15 * 60 * 1000;
const CANCEL_WORDS = /^(atcelt|atceļu|cancel|stop)[.!]?$/i;
const CONFIRM_WORDS = /^(jā|ja|yes|apstiprinu|apstiprināt|confirm)[.!]?$/i;
const SKIP_WORDS = /^(izlaist|skip|nav|no|-|—)[.!]?$/i;
/** A wish to exercise a right read less surely than this gets one confirming question before the form. */
const START_AT = 0.9;
/** Inside the form, text of two or more words the engine reads this surely as a question or wish is that, not an answer. */
const MESSAGE_AT = 0.4;
/** What the engine read in a form's free text that the conversation answers while the form waits. */
const ANSWERED: ReadonlySet<Answer['intent']> = new Set(['policy', 'exercise', 'greeting', 'thanks']);
/** Details the company cannot act on without (what is wrong and what is correct). */
const DETAILS_REQUIRED: ReadonlySet<Right> = new Set(['rectification']);
/** Rights whose details step says what the company needs (locales: requests.askDetailsFor). */
const DETAILS_PROMPTED: ReadonlySet<Right> = new Set(['rectification', 'objection', 'consent']);

const draftSchema = z.object({
  right: z.enum(RIGHTS).optional(),
  name: z.string().max(100).optional(),
  email: z.string().max(254).optional(),
  phone: z.string().max(16).optional(),
  /** '' when skipped. */
  details: z.string().max(MAX_DETAILS).optional(),
  at: z.number().default(0),
  /** The submission's identity (its idempotency key), fixed when the form first reaches its summary. */
  key: z.string().optional(),
  /** Paused: the customer went on to ask or browse; free text is not taken as an answer until they continue. */
  parked: z.boolean().optional(),
  /** A question asked at the details step, kept while parked in case the customer adds it to the request. */
  pending: z.string().max(MAX_DETAILS).optional(),
});
export type Draft = z.infer<typeof draftSchema>;
export interface CompleteDraft {
  key: string;
  right: Right;
  name: string;
  email?: string | undefined;
  phone?: string | undefined;
  details?: string | undefined;
}

interface State {
  step: Step;
  draft: Draft;
}

export interface FlowDeps {
  /** The engine's reading of this turn's text (asked once per turn). */
  read(ctx: Ctx): Answer;
  /** Replies follow the language a message is written in, unless the user chose one. */
  followLang(ctx: Ctx, lang: Lang): void;
  /** Records the confirmed request durably; throws if it could not. */
  submit(ctx: Ctx, draft: CompleteDraft): Promise<void>;
  status(ctx: Ctx): Promise<void>;
}

/** Reads our flow from the session through zod; a broken or foreign-version draft is dropped, not trusted. */
function readFlow(ctx: Ctx): State | null {
  const flow = ctx.session.flow;
  if (!flow || flow.name !== FLOW) return null;
  const step = z.enum(STEPS).safeParse(flow.step);
  const draft = draftSchema.safeParse(flow.data);
  if (step.success && draft.success) return { step: step.data, draft: draft.data };
  ctx.session.flow = undefined;
  return null;
}

function complete(d: Draft): CompleteDraft | null {
  if (!d.right || !d.name || (!d.email && !d.phone) || !d.key) return null;
  return { key: d.key, right: d.right, name: d.name, email: d.email, phone: d.phone, details: d.details || undefined };
}

/** The first step still missing, or the summary. */
function nextStep(d: Draft): Step {
  if (!d.right) return 'right';
  if (!d.name) return 'name';
  if (!d.email && !d.phone) return 'contact';
  if (d.details === undefined) return 'details';
  return 'summary';
}

function parseRight(s: string | undefined): Right | undefined {
  return RIGHTS.find((r) => r === s);
}

export function requestFlow(deps: FlowDeps): Middleware {
  function save(ctx: Ctx, step: Step, draft: Draft, parked = false): void {
    // Confirming this summary again, after a crash or on another instance, files the same request.
    const key = draft.key ?? (step === 'summary' ? randomUUID() : undefined);
    const { parked: _was, pending, ...rest } = draft;
    const waiting = parked ? { parked, ...(pending !== undefined && { pending }) } : {};
    ctx.session.flow = { name: FLOW, step, data: { ...rest, at: Date.now(), ...(key && { key }), ...waiting } };
  }

  function cancelButton(ctx: Ctx): Button {
    return { label: ctx.t('requests:button.cancel'), data: 'rq:cancel' };
  }

  function detailsPrompt(ctx: Ctx, right: Right | undefined): string {
    const what = right && DETAILS_PROMPTED.has(right) ? ctx.t(`requests:askDetailsFor.${right}`) : ctx.t('requests:askDetails');
    const skip = right && DETAILS_REQUIRED.has(right) ? '' : ` ${ctx.t('requests:detailsSkip')}`;
    return `${what}${skip} ${ctx.t('requests:detailsLimit', { max: MAX_DETAILS })}`;
  }

  function prompt(ctx: Ctx, step: Step, draft: Draft, lead?: string): Reply[] {
    const t = ctx.t;
    const head = [lead, t('requests:step', { n: STEP_NO[step], total: TOTAL })].filter(Boolean).join('\n');
    const chosen = draft.right ? `${t('requests:chosenRight', { right: t(`requests:right.${draft.right}`) })}\n` : '';
    switch (step) {
      case 'right':
        return [
          {
            text: `${head}\n${t('requests:askRight')}`,
            buttons: [...RIGHTS.map((r) => [{ label: t(`requests:right.${r}`), data: `rq:right:${r}` }]), [cancelButton(ctx)]],
          },
        ];
      case 'name':
        return [{ text: `${head}\n${chosen}${t('requests:askName')}`, buttons: [[cancelButton(ctx)]], input: 'name' }];
      case 'contact':
        return [{ text: `${head}\n${t('requests:askContact')}`, buttons: [[cancelButton(ctx)]], input: 'contact' }];
      case 'details': {
        const required = draft.right !== undefined && DETAILS_REQUIRED.has(draft.right);
        const skip = { label: t('requests:button.skip'), data: 'rq:skip' };
        return [
          {
            text: `${head}\n${detailsPrompt(ctx, draft.right)}`,
            buttons: [required ? [cancelButton(ctx)] : [skip, cancelButton(ctx)]],
            input: 'details',
            maxChars: MAX_DETAILS,
          },
        ];
      }
      case 'summary': {
        const none = t('requests:none');
        const summary = t('requests:summary', {
          right: draft.right ? t(`requests:right.${draft.right}`) : none,
          name: draft.name ?? none,
          email: draft.email ?? none,
          phone: draft.phone ?? none,
          details: draft.details || none,
        });
        return [
          { text: `${head}\n${t('requests:notice')}` },
          {
            text: `${summary}\n\n${t('requests:confirmPrompt')}`,
            buttons: [
              [{ label: t('requests:button.confirm'), data: 'rq:confirm' }],
              [{ label: t('requests:button.edit'), data: 'rq:edit' }, cancelButton(ctx)],
            ],
          },
        ];
      }
      case 'edit':
        return [
          {
            text: `${head}\n${t('requests:askEditField')}`,
            buttons: [
              ...FIELDS.map((f) => [{ label: t(`requests:field.${f}`), data: `rq:edit:${f}` }]),
              [{ label: t('requests:button.back'), data: 'rq:back' }, cancelButton(ctx)],
            ],
          },
        ];
    }
  }

  function show(ctx: Ctx, step: Step, draft: Draft, lead?: string): void {
    save(ctx, step, draft);
    for (const r of prompt(ctx, step, draft, lead)) ctx.reply(r);
  }

  /** After a step's answer: on to the next missing step, which is the summary again after an edit. */
  function advance(ctx: Ctx, draft: Draft): void {
    show(ctx, nextStep(draft), draft);
  }

  function start(ctx: Ctx, right: Right | undefined): void {
    advance(ctx, draftSchema.parse({ right }));
  }

  /** Back to a paused or interrupted form where it was; a right chosen now replaces the draft's (its other answers stay). */
  function resume(ctx: Ctx, { step, draft }: State, right?: Right): void {
    if (right && right !== draft.right) return advance(ctx, { ...draft, right });
    show(ctx, step, draft, ctx.t('requests:resumed'));
  }

  /** The customer went on to something else: the form waits, and says how to go back to it or drop it. */
  function park(ctx: Ctx, { step, draft }: State, pending?: string): void {
    save(ctx, step, { ...draft, pending }, true);
    const resume = [{ label: ctx.t('requests:button.resume'), data: 'rq:resume' }, cancelButton(ctx)];
    const n = { n: STEP_NO[step], total: TOTAL };
    if (pending === undefined) return ctx.reply({ text: ctx.t('requests:paused', n), buttons: [resume] });
    ctx.reply({
      text: ctx.t('requests:pausedDetails', n),
      buttons: [[{ label: ctx.t('requests:button.addDetails'), data: 'rq:add' }], resume],
    });
  }

  /** One question before a form the customer may not have meant: yes starts it, no answers about the right. */
  function confirmWish(ctx: Ctx, answer: Answer, right: Right): void {
    const no = answer.entry ? { data: `a:${answer.entry.id}` } : { data: 'cmd:topics' };
    ctx.reply({
      text: ctx.t('requests:confirmWish', { right: ctx.t(`requests:right.${right}`) }),
      buttons: [
        [{ label: ctx.t('requests:button.wishYes'), data: `rq:start:${right}` }],
        [{ label: ctx.t('requests:button.wishNo'), ...no }],
      ],
    });
  }

  /**
   * Free text outside a form: a wish to exercise a right. A question about it ("Can I object to
   * marketing?") is answered, with the request button, where the policy has an entry on the right;
   * a wish the engine is sure of starts the form; anything else is asked about first.
   */
  function wish(ctx: Ctx, text: string, parked: State | null): boolean {
    const answer = deps.read(ctx);
    const right = answer.intent === 'exercise' ? answer.exercise : undefined;
    const question = text.includes('?');
    if (!right || (question && answer.entry)) return false;
    // The form follows the language the wish was written in, as answers do.
    deps.followLang(ctx, answer.lang);
    if (question || answer.confidence < START_AT) confirmWish(ctx, answer, right);
    else if (parked) resume(ctx, parked, right);
    else start(ctx, right);
    return true;
  }

  /** Text in the form that is a question, a wish or a remark rather than the answer asked for. */
  function aside(ctx: Ctx, text: string): Answer | null {
    const answer = deps.read(ctx);
    if (answer.intent === 'none' || answer.intent === 'other_language') return null;
    if (text.split(/\s+/).length < 2) return null;
    return text.includes('?') || answer.confidence >= MESSAGE_AT ? answer : null;
  }

  function stale(ctx: Ctx): void {
    ctx.reply({ text: ctx.t('requests:stale'), buttons: [[{ label: ctx.t('requests:button.startAgain'), data: 'rq:start' }]] });
  }

  function cancel(ctx: Ctx): void {
    ctx.session.flow = undefined;
    ctx.reply({ text: ctx.t('requests:cancelled'), buttons: [[{ label: ctx.t('requests:button.startAgain'), data: 'rq:start' }]] });
  }

  async function answer(ctx: Ctx, state: State, rq: string | undefined, text: string, next: Next): Promise<void> {
    const { step, draft } = state;
    const t = ctx.t;
    const reask = (key: string, opts?: Record<string, unknown>) => show(ctx, step, draft, t(key, opts));
    /** Not an answer: the text goes on to be answered as any message, and the form waits. */
    const askedAside = async (): Promise<boolean> => {
      const read = rq ? null : aside(ctx, text);
      if (!read) return false;
      // Questions and small talk are answered as anywhere; an unsure wish for a person or help just asks: go on, or cancel?
      if (ANSWERED.has(read.intent)) await next();
      park(ctx, state);
      return true;
    };
    /** An answer that does not fit: the error in the language the customer writes in. */
    const refuse = (key: string, opts?: Record<string, unknown>) => {
      if (text) deps.followLang(ctx, deps.read(ctx).lang);
      show(ctx, step, draft, ctx.t(key, opts));
    };
    switch (step) {
      case 'right': {
        const byNumber = /^[1-7]$/.test(text) ? RIGHTS[Number(text) - 1] : undefined;
        const byLabel = RIGHTS.find((r) => t(`requests:right.${r}`).toLowerCase() === text.toLowerCase());
        const read = text && !byNumber && !byLabel ? deps.read(ctx) : undefined;
        const right =
          parseRight(rq?.startsWith('right:') ? rq.slice(6) : undefined) ??
          byNumber ??
          byLabel ??
          (read && read.confidence >= MESSAGE_AT ? read.exercise : undefined);
        if (right) return advance(ctx, { ...draft, right });
        if (await askedAside()) return;
        return reask('requests:askRightAgain');
      }
      case 'name': {
        if (rq) return show(ctx, step, draft);
        if (containsPersonalCode(text)) return reask('requests:personalCode');
        const name = parseName(text);
        if (name && !aside(ctx, text)) return advance(ctx, { ...draft, name });
        if (await askedAside()) return;
        return refuse(isOneWord(text) ? 'requests:nameOneWord' : 'requests:invalidName');
      }
      case 'contact': {
        if (rq) return show(ctx, step, draft);
        if (containsPersonalCode(text)) return reask('requests:personalCode');
        const contact = parseContact(text);
        if (contact) return advance(ctx, { ...draft, email: contact.email, phone: contact.phone });
        if (await askedAside()) return;
        return refuse('requests:invalidContact');
      }
      case 'details': {
        const required = draft.right !== undefined && DETAILS_REQUIRED.has(draft.right);
        if (rq === 'skip' || SKIP_WORDS.test(text)) {
          return required ? refuse('requests:detailsRequired') : advance(ctx, { ...draft, details: '' });
        }
        if (rq || !text) return show(ctx, step, draft);
        const checked = checkDetails(text);
        const asked = checked.ok && text.includes('?') ? aside(ctx, text) : null;
        // A question here may be one for me or one for the company: answered, then the customer says which.
        if (checked.ok && asked && ANSWERED.has(asked.intent)) {
          await next();
          return park(ctx, state, checked.value);
        }
        if (checked.ok) return advance(ctx, { ...draft, details: checked.value });
        if (checked.reason === 'personalCode') return reask('requests:personalCode');
        return refuse('requests:detailsTooLong', { max: MAX_DETAILS, length: text.trim().length });
      }
      case 'summary': {
        if (rq === 'edit') return show(ctx, 'edit', draft);
        if (rq !== 'confirm' && !CONFIRM_WORDS.test(text)) return show(ctx, 'summary', draft);
        const done = complete(draft);
        if (!done) return advance(ctx, draft);
        await deps.submit(ctx, done);
        ctx.session.flow = undefined;
        return;
      }
      case 'edit': {
        if (rq === 'back') return show(ctx, 'summary', draft);
        const field = FIELDS.find((f) => rq === `edit:${f}`);
        if (!field) return show(ctx, 'edit', draft);
        return show(ctx, field, draft);
      }
    }
  }

  return async (ctx: Ctx, next: Next) => {
    const button = ctx.msg.button;
    const rq = button?.startsWith('rq:') ? button.slice(3) : undefined;
    const text = ctx.msg.text?.trim() ?? '';
    const state = readFlow(ctx);
    const open = state && !state.draft.parked ? state : null;
    // Form answers (name, contact, details) reach only the request API, never the turn history.
    if (open) ctx.private = true;

    if (ctx.command === 'status' || rq === 'status') {
      await deps.status(ctx);
      if (open) park(ctx, open);
      return;
    }
    if (ctx.command === 'rights' || rq === 'start' || rq?.startsWith('start:') || rq === 'resume') {
      const right = parseRight(rq?.slice(6));
      if (!state) return rq === 'resume' ? stale(ctx) : start(ctx, right);
      if (state.step === 'right' && right) return advance(ctx, { ...state.draft, right });
      return resume(ctx, state, right);
    }
    if (state && (rq === 'cancel' || ctx.command === 'cancel' || (!ctx.command && !button && CANCEL_WORDS.test(text)))) return cancel(ctx);
    const free = !ctx.command && !button && !ctx.msg.unsupported && text !== '';

    if (!open) {
      const pending = state?.draft.pending;
      if (rq === 'add' && state && pending !== undefined) return advance(ctx, { ...state.draft, details: pending });
      if (rq) return state ? resume(ctx, state) : stale(ctx);
      if (free && wish(ctx, text, state)) return;
      return next();
    }

    // Erasing everything needs no note about the form; a new language shows the step again in it.
    if (ctx.command === 'forget' || button?.startsWith('forget:')) return next();
    if (button?.startsWith('lang:')) {
      await next();
      return show(ctx, open.step, open.draft);
    }
    if (ctx.command || (button && !rq)) {
      await next();
      return park(ctx, open);
    }
    if (!rq && Date.now() - open.draft.at > RESUME_AFTER_MS) return show(ctx, open.step, open.draft, ctx.t('requests:resumed'));
    if (ctx.msg.unsupported) return show(ctx, open.step, open.draft, ctx.t('requests:noDocuments'));
    return answer(ctx, open, rq, text, next);
  };
}
