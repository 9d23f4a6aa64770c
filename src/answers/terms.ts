import { words } from './normalize.js';
import { STOP_WORDS } from './stopwords.js';

function isStop(word: string): boolean {
  return STOP_WORDS.lv.has(word) || STOP_WORDS.en.has(word);
}

/**
 * "US"/"U.S." as a country ("stored in the US", "US servers") becomes "USA": folded, it would be
 * the stop word "us". Not after an all-capitals word ("CONTACT US"), where it is the pronoun.
 */
const COUNTRY_US_UPPER = /(?<!\p{Lu} )\bU\.?S\.?(?![\p{L}])/gu;
const THE_US = /\bthe u\.?s\.?a?(?![\p{L}])/giu;

export function usAsCountry(text: string): string {
  return text.replace(THE_US, 'the USA').replace(COUNTRY_US_UPPER, 'USA');
}

/** Content words of a text, at most `max`: folded, stop words (of either language) and lone digits removed. */
export function contentWords(text: string, max = Infinity): string[] {
  const out: string[] = [];
  for (const word of words(usAsCountry(text))) {
    if (out.length >= max) break;
    if (word.length < 2 || isStop(word) || /^\d$/.test(word)) continue;
    out.push(word);
  }
  return out;
}
