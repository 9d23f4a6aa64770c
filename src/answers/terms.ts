import { words } from './normalize.js';
import { STOP_WORDS } from './stopwords.js';

function isStop(word: string): boolean {
  return STOP_WORDS.lv.has(word) || STOP_WORDS.en.has(word);
}

/** Content words of a text, at most `max`: folded, stop words (of either language) and lone digits removed. */
export function contentWords(text: string, max = Infinity): string[] {
  const out: string[] = [];
  for (const word of words(text)) {
    if (out.length >= max) break;
    if (word.length < 2 || isStop(word) || /^\d$/.test(word)) continue;
    out.push(word);
  }
  return out;
}
