import { fold, truncate } from './normalize.js';
import type { Lang } from './schema.js';

const LV_LETTERS = /[āčēģīķļņšūž]/;
/** Words that are Latvian and not also English words (folded). */
const LV_MARKERS = new Set(
  `un ir vai ka kas es mani manu manus mans mana jus jusu jums uz ar lai kur kapec kad cik ko kam ari ja nav
  var varu varat esmu ludzu gribu velos kads kada kadi kadas kadu kadus sveiki labdien paldies dati datu datus
  datiem datos tiesibas savus savu kurs kura kuri tiek politika politikas sudzibu sudzibas dzest piekrisana
  pakalpojumi uznemums tas sis sie`.split(/\s+/),
);
/** Words that are English and not also Latvian words. */
const EN_MARKERS = new Set(
  `the is are what how do does my your you can i to of and data me with for about where who which why when
  have has this that will please want delete policy personal information rights right company it be there in
  on at does could would should get any our we they their an or if from by am was were been privacy consent
  complaint contact address long keep hi hello hey thanks thank yes sorry`.split(/\s+/),
);

interface LangEvidence {
  lv: number;
  en: number;
}

/**
 * Weighs the words of a text: Latvian diacritics are the strongest sign, then function words.
 * `extra` lets a caller add evidence it knows about (the matcher adds words found in only one
 * language's knowledge base).
 */
function langEvidence(text: string, extra?: (word: string) => Lang | undefined): LangEvidence {
  const evidence = { lv: 0, en: 0 };
  for (const raw of truncate(text).toLowerCase().split(/[^\p{L}]+/u)) {
    if (!raw) continue;
    const word = fold(raw);
    if (LV_LETTERS.test(raw)) evidence.lv += 2;
    else if (LV_MARKERS.has(word)) evidence.lv += 1;
    else if (EN_MARKERS.has(word)) evidence.en += 1;
    else {
      const hint = extra?.(word);
      if (hint) evidence[hint] += 0.5;
    }
  }
  return evidence;
}

/** Latvian or English; text too short or too mixed to tell gets `fallback`. */
export function detectLang(text: string, fallback: Lang, extra?: (word: string) => Lang | undefined): Lang {
  const { lv, en } = langEvidence(text, extra);
  if (Math.max(lv, en) < 1 || Math.abs(lv - en) < 1) return fallback;
  return lv > en ? 'lv' : 'en';
}
