import type { KnowledgeBase, KnowledgeEntry } from '../answers/schema.js';
import type { Lang } from '../domain.js';
import type { Ctx } from '../core/bot.js';
import type { Button, Reply } from '../core/types.js';

/** Entry buttons under an answer: "did you mean" alternatives first, then related entries. */
const MAX_ENTRY_BUTTONS = 4;

/** Whether a person can join now, and the company's contacts when not. */
export interface Handoff {
  available(): boolean;
  contactText(lang: Lang): string;
}

/** A topic's curated title: a button names what it opens, it never speaks for the customer. */
function entryButton(entry: KnowledgeEntry, lang: Lang): Button {
  return { label: entry.title[lang], data: `a:${entry.id}` };
}

const topicsButton = (ctx: Ctx): Button => ({ label: ctx.t('conversation:browseTopics'), data: 'cmd:topics' });
const humanButton = (ctx: Ctx): Button => ({ label: ctx.t('conversation:askHuman'), data: 'cmd:human' });

export interface AnswerParts {
  entry: KnowledgeEntry;
  lang: Lang;
  /** Other entries the question may have meant. */
  suggestions?: KnowledgeEntry[];
  /** The right to offer a request for (the one asked to exercise, else the entry's). */
  right?: KnowledgeEntry['right'];
}

/** An entry as an answer: its text in `lang`, the section as citation, entry buttons and, for a right, a request button. */
export function answerReply(ctx: Ctx, kb: KnowledgeBase, parts: AnswerParts): Reply {
  const { entry, lang, suggestions = [], right = entry.right } = parts;
  const related = entry.related.map((id) => kb.entries.get(id)).filter((e): e is KnowledgeEntry => e !== undefined);
  const others = [...new Set([...suggestions, ...related])].filter((e) => e.id !== entry.id).slice(0, MAX_ENTRY_BUTTONS);
  const buttons: Button[][] = others.map((e) => [entryButton(e, lang)]);
  if (right) buttons.push([{ label: ctx.t('conversation:submitRequest'), data: `rq:start:${right}` }]);
  return { text: entry.answer[lang], section: entry.section.title[lang], quote: entry.source, buttons };
}

/**
 * A person is offered only where one can join. "None of these" (as in Azure QA's active-learning
 * card) tells staff review the suggestions missed, when review is on. The topics follow the
 * sentence that introduces them; the company's contacts come after them, as a message of their own.
 */
export function didYouMeanReply(ctx: Ctx, suggestions: KnowledgeEntry[], lang: Lang, handoff: Handoff, noneOfThese = false): Reply[] {
  const buttons = suggestions.slice(0, 3).map((e) => [entryButton(e, lang)]);
  if (noneOfThese) buttons.push([{ label: ctx.t('conversation:noneOfThese'), data: 'gap:none' }]);
  if (handoff.available()) return [{ text: ctx.t('conversation:didYouMean'), buttons: [...buttons, [humanButton(ctx)]] }];
  return [{ text: ctx.t('conversation:didYouMean'), buttons }, { text: handoff.contactText(ctx.lang) }];
}

/** The policy has no answer: one offer of a person where one can join, else the company's contacts. */
export function noAnswerReply(ctx: Ctx, handoff: Handoff, misses: number): Reply {
  if (!handoff.available())
    return { text: `${ctx.t('conversation:noAnswer')} ${handoff.contactText(ctx.lang)}`, buttons: [[topicsButton(ctx)]] };
  const text = ctx.t(misses >= 2 ? 'conversation:noAnswerAgain' : 'conversation:noAnswerOffer');
  return { text, buttons: [[humanButton(ctx)], [topicsButton(ctx)]] };
}

export function topicsReply(ctx: Ctx, kb: KnowledgeBase): Reply {
  // loadKnowledge already orders sections
  return {
    text: ctx.t('conversation:topicsPrompt'),
    buttons: kb.sections.map((s) => [{ label: s.title[ctx.lang], data: `topic:${s.id}` }]),
  };
}

export function topicReply(ctx: Ctx, kb: KnowledgeBase, sectionId: string): Reply | undefined {
  const section = kb.sections.find((s) => s.id === sectionId);
  if (!section) return undefined;
  const entries = section.entryIds.map((id) => kb.entries.get(id)).filter((e): e is KnowledgeEntry => e !== undefined);
  return {
    text: ctx.t('conversation:topicPrompt', { title: section.title[ctx.lang] }),
    buttons: [...entries.map((e) => [entryButton(e, ctx.lang)]), [{ label: ctx.t('conversation:backToTopics'), data: 'cmd:topics' }]],
  };
}

export function languageButtons(ctx: Ctx): Button[] {
  return [
    { label: ctx.t('conversation:languageLv'), data: 'lang:lv' },
    { label: ctx.t('conversation:languageEn'), data: 'lang:en' },
  ];
}

/** Greeting, thanks and help in free text: short, warm, and pointing at what Thunder does. */
export function smallTalkReply(ctx: Ctx, intent: 'greeting' | 'thanks'): Reply {
  return { text: ctx.t(`conversation:${intent}`), buttons: [[topicsButton(ctx)]] };
}
