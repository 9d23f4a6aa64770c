import type { KnowledgeBase, KnowledgeEntry, Lang } from '../answers/schema.js';
import type { Ctx } from '../core/bot.js';
import type { Button, Reply } from '../core/types.js';

const MAX_RELATED = 3;

export function entryButton(entry: KnowledgeEntry, lang: Lang): Button {
  return { label: entry.questions[lang][0]!, data: `a:${entry.id}` };
}

/** An entry as an answer: its text in `lang`, the section as citation, related entries and, for a right, a request button. */
export function answerReply(ctx: Ctx, kb: KnowledgeBase, entry: KnowledgeEntry, lang: Lang, right = entry.right): Reply {
  const buttons: Button[][] = entry.related
    .map((id) => kb.entries.get(id))
    .filter((e): e is KnowledgeEntry => e !== undefined)
    .slice(0, MAX_RELATED)
    .map((e) => [entryButton(e, lang)]);
  if (right) buttons.push([{ label: ctx.t('conversation:submitRequest'), data: `rq:start:${right}` }]);
  return { text: entry.answer[lang], section: entry.section.title[lang], quote: entry.source, buttons };
}

export function didYouMeanReply(ctx: Ctx, suggestions: KnowledgeEntry[], lang: Lang): Reply {
  return { text: ctx.t('conversation:didYouMean'), buttons: suggestions.slice(0, 3).map((e) => [entryButton(e, lang)]) };
}

export function noAnswerReply(ctx: Ctx): Reply {
  return {
    text: ctx.t('conversation:noAnswer'),
    buttons: [[{ label: ctx.t('conversation:askHuman'), data: 'cmd:human' }], [{ label: ctx.t('conversation:browseTopics'), data: 'cmd:topics' }]],
  };
}

export function topicsReply(ctx: Ctx, kb: KnowledgeBase): Reply {
  const sections = [...kb.sections].sort((a, b) => a.order - b.order);
  return { text: ctx.t('conversation:topicsPrompt'), buttons: sections.map((s) => [{ label: s.title[ctx.lang], data: `topic:${s.id}` }]) };
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
