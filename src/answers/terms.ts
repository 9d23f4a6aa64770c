import { normalize } from './normalize.js';
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

function usAsCountry(text: string): string {
  return text.replace(THE_US, 'the USA').replace(COUNTRY_US_UPPER, 'USA');
}

/**
 * Question cues made only of function words ("par mani", "no kurienes") that the stop list would
 * drop, yet tell neighbouring topics apart: about me → access, say no → objection, to whom →
 * recipients, where from → sources, why → purposes. Each becomes
 * a pseudo-word ("_aboutme") indexed like any other, so the sample questions decide how much it
 * weighs and for which entries. Folded text.
 */
const CUES: [RegExp, string][] = [
  [/\b(about|on) (me|myself)\b|\bpar (mani|sevi)\b/, '_aboutme'],
  [/\bwhy\b|\bwhat\b.*\bfor$|\bkapec\b|\bkadel\b|\bkada(m|iem) (nolu|merk)\w*/, '_why'],
  [/\b(say|saying|said) no\b|\b(pateikt|teikt|saku|sacit) ne\b/, '_sayno'],
  [/\bwho (else|gets|receives|sees|can see|has access)\b|\b(who|which \w+) (else )?(can|could|may|will) (access|see|get|view)\b|\bto whom\b|\bwith whom\b|\bkam (\w+ ){0,2}(nod|sniedz|izpaud|parsut|dod)\w*/, '_towhom'],
  [/\bwhere from\b|\bfrom where\b|\bno kurienes\b|\bno kur\b|\bkur (jus )?(nem|dabu|iegu)\w*|\bwhere (do|did) you (get|got|obtain)\w*/, '_wherefrom'],
];

export const isCue = (word: string): boolean => word.startsWith('_');

/**
 * Content words of a text, at most `max`: folded, stop words (of either language) and lone
 * digits removed, then its question cues.
 */
export function contentWords(text: string, max = Infinity): string[] {
  const norm = normalize(usAsCountry(text));
  const out: string[] = [];
  for (const word of norm ? norm.split(' ') : []) {
    if (out.length >= max) break;
    if (word.length < 2 || isStop(word) || /^\d$/.test(word)) continue;
    out.push(word);
  }
  for (const [cue, token] of CUES) if (out.length < max && cue.test(norm)) out.push(token);
  return out;
}
