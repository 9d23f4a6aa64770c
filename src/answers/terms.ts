import { words } from './normalize.js';
import type { Lang } from './schema.js';
import { stem } from './stem.js';
import { STOP_WORDS } from './stopwords.js';

/** A question of thousands of words adds nothing after this many content words. */
export const MAX_TERMS = 120;

function isStop(word: string): boolean {
  return STOP_WORDS.lv.has(word) || STOP_WORDS.en.has(word);
}

/** Content words of a text: folded, stop words (of either language) and lone digits removed. */
export function contentWords(text: string): string[] {
  const out: string[] = [];
  for (const word of words(text)) {
    if (word.length < 2 || isStop(word) || /^\d$/.test(word)) continue;
    out.push(word);
    if (out.length === MAX_TERMS) break;
  }
  return out;
}

/** Distinct stems of a text's content words in one language. */
export function stems(text: string, lang: Lang): Set<string> {
  return new Set(contentWords(text).map((w) => stem(w, lang)));
}
