import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { RIGHTS, type Lang, type Right } from '../domain.js';
import type { Ctx, Middleware, Next } from '../core/bot.js';
import type { Button, Reply } from '../core/types.js';
import { MAX_DETAILS } from './contract.js';
import { checkDetails, containsPersonalCode, parseContact, parseName } from './validate.js';

/**
 * The rights-request conversation: right → name → e-mail/phone → details → notice and summary →
 * confirm / edit / cancel. The draft lives in ctx.session.flow, so it survives restarts.
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
  detectExercise(text: string): Right | null;
  /** The language a free-text request is written in, `fallback` when unclear. */
  detectLang(text: string, fallback: Lang): Lang;
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
  function save(ctx: Ctx, step: Step, draft: Draft): void {
    // Confirming this summary again, after a crash or on another instance, files the same request.
    const key = draft.key ?? (step === 'summary' ? randomUUID() : undefined);
    ctx.session.flow = { name: FLOW, step, data: { ...draft, at: Date.now(), ...(key && { key }) } };
  }

  function cancelButton(ctx: Ctx): Button {
    return { label: ctx.t('requests:button.cancel'), data: 'rq:cancel' };
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
      case 'details':
        return [
          {
            text: `${head}\n${t('requests:askDetails')}`,
            buttons: [[{ label: t('requests:button.skip'), data: 'rq:skip' }, cancelButton(ctx)]],
            input: 'details',
          },
        ];
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

  function stale(ctx: Ctx): void {
    ctx.reply({ text: ctx.t('requests:stale'), buttons: [[{ label: ctx.t('requests:button.startAgain'), data: 'rq:start' }]] });
  }

  function cancel(ctx: Ctx): void {
    ctx.session.flow = undefined;
    ctx.reply({ text: ctx.t('requests:cancelled'), buttons: [[{ label: ctx.t('requests:button.startAgain'), data: 'rq:start' }]] });
  }

  async function answer(ctx: Ctx, { step, draft }: State, rq: string | undefined, text: string): Promise<void> {
    const t = ctx.t;
    const reask = (key: string, opts?: Record<string, unknown>) => show(ctx, step, draft, t(key, opts));
    switch (step) {
      case 'right': {
        const byNumber = /^[1-7]$/.test(text) ? RIGHTS[Number(text) - 1] : undefined;
        const byLabel = RIGHTS.find((r) => t(`requests:right.${r}`).toLowerCase() === text.toLowerCase());
        const right =
          parseRight(rq?.startsWith('right:') ? rq.slice(6) : undefined) ??
          byNumber ??
          byLabel ??
          (text ? (deps.detectExercise(text) ?? undefined) : undefined);
        return right ? advance(ctx, { ...draft, right }) : reask('requests:askRightAgain');
      }
      case 'name': {
        if (rq) return show(ctx, step, draft);
        if (containsPersonalCode(text)) return reask('requests:personalCode');
        const name = parseName(text);
        return name ? advance(ctx, { ...draft, name }) : reask('requests:invalidName');
      }
      case 'contact': {
        if (rq) return show(ctx, step, draft);
        if (containsPersonalCode(text)) return reask('requests:personalCode');
        const contact = parseContact(text);
        return contact ? advance(ctx, { ...draft, email: contact.email, phone: contact.phone }) : reask('requests:invalidContact');
      }
      case 'details': {
        if (rq === 'skip' || SKIP_WORDS.test(text)) return advance(ctx, { ...draft, details: '' });
        if (rq || !text) return show(ctx, step, draft);
        const checked = checkDetails(text);
        if (checked.ok) return advance(ctx, { ...draft, details: checked.value });
        return reask(checked.reason === 'tooLong' ? 'requests:detailsTooLong' : 'requests:personalCode', { max: MAX_DETAILS });
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
    if (ctx.command === 'status' || rq === 'status') return deps.status(ctx);
    const state = readFlow(ctx);
    // Form answers (name, contact, details) reach only the request API, never the turn history.
    if (state) ctx.private = true;

    if (!state) {
      if (ctx.command === 'rights') return start(ctx, undefined);
      if (rq === 'start' || rq?.startsWith('start:')) return start(ctx, parseRight(rq.slice(6)));
      if (rq) return stale(ctx);
      if (!ctx.command && !button && text) {
        const right = deps.detectExercise(text);
        if (right) {
          // The form follows the language the wish was written in, as answers do.
          if (!ctx.session.langChosen) ctx.lang = ctx.session.lang = deps.detectLang(text, ctx.lang);
          return start(ctx, right);
        }
      }
      return next();
    }

    if (rq === 'cancel' || ctx.command === 'cancel' || (!ctx.command && CANCEL_WORDS.test(text))) return cancel(ctx);
    if (ctx.command === 'rights' || rq === 'start' || rq?.startsWith('start:')) {
      const right = parseRight(rq?.slice(6));
      if (state.step === 'right' && right) return advance(ctx, { ...state.draft, right });
      return show(ctx, state.step, state.draft, ctx.t('requests:resumed'));
    }
    if (ctx.command || (button && !rq)) return next();
    if (!rq && Date.now() - state.draft.at > RESUME_AFTER_MS) return show(ctx, state.step, state.draft, ctx.t('requests:resumed'));
    if (ctx.msg.unsupported) return show(ctx, state.step, state.draft, ctx.t('requests:noDocuments'));
    return answer(ctx, state, rq, text);
  };
}
