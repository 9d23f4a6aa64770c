import type { Lang } from './schema.js';

/*
 * Light stemmers over folded words (no diacritics). They strip inflection so that
 * "dati/datu/datus/datiem" or "delete/deleted/deleting" meet; they do not try to find roots.
 * Endings are tried longest first; the stem keeps at least MIN_STEM letters.
 */
const MIN_STEM = 3;

const LV_ENDINGS = [
  // future tense: "glabāsiet", "dzēsīsim"
  'sieties',
  'simies',
  'siet',
  'sies',
  'sim',
  'sit',
  // verbal nouns and participles
  'sanas',
  'sanai',
  'sanu',
  'sana',
  'amies',
  'aties',
  'eties',
  'ities',
  'oties',
  'ties',
  'ajiem',
  'ajam',
  'ajai',
  'ajos',
  'ajas',
  'ajie',
  'ajo',
  'aja',
  'ais',
  'ajs',
  'osam',
  'osas',
  'osai',
  'osos',
  'osie',
  'oss',
  'osu',
  'osa',
  'osi',
  'amas',
  'amam',
  'amie',
  'ama',
  'ami',
  'ams',
  'amu',
  'ibas',
  'ibai',
  'ibam',
  'ibu',
  'iba',
  'ibi',
  // participles and nouns in -t-: "klients/klientiem", "dzēsts/dzēstiem" keep one stem
  'tiem',
  'iem',
  'iet',
  'ijs',
  'am',
  'em',
  'im',
  'um',
  'at',
  'et',
  'it',
  'os',
  'as',
  'es',
  'is',
  'us',
  'ai',
  'ei',
  'ie',
  'ts',
  'ta',
  'ti',
  'tu',
  'a',
  'e',
  'i',
  'u',
  's',
  't',
];

const EN_ENDINGS = [
  'ational',
  'ations',
  'ation',
  'ements',
  'ement',
  'ments',
  'ment',
  'ities',
  'ity',
  'ings',
  'ing',
  'ions',
  'ion',
  'ures',
  'ure',
  'ied',
  'ies',
  'ers',
  'er',
  'ed',
  'es',
  's',
  'e',
  'y',
];
/** Endings that become "i" rather than nothing, so "policy/policies" stay apart from "police". */
const EN_TO_I = new Set(['ied', 'ies', 'y']);

function strip(word: string, endings: readonly string[], toI?: ReadonlySet<string>): string {
  for (const end of endings) {
    if (word.length - end.length >= MIN_STEM && word.endsWith(end)) return word.slice(0, -end.length) + (toI?.has(end) ? 'i' : '');
  }
  return word;
}

export function stemLv(word: string): string {
  let stem = strip(word, LV_ENDINGS);
  // verb forms: "labojiet" → "laboj", "labot" → "labo", "apstrādājat" → "apstradaj": drop j and a final vowel
  if (stem.length > 4 && stem.endsWith('j')) stem = stem.slice(0, -1);
  while (stem.length > 4 && /[aeiou]$/.test(stem)) stem = stem.slice(0, -1);
  // "nododat"/"nodot", "dzēst"/"dzēšana" (folded "dzesana" → "dze"): drop the alternating consonant
  if (stem.length >= 4 && /od$/.test(stem)) stem = stem.slice(0, -1);
  return stem;
}

export function stemEn(word: string): string {
  // "access", "address", "status": a double s or -us/-is is not a plural
  if (/(ss|us|is)$/.test(word)) return word;
  const stem = strip(word, EN_ENDINGS, EN_TO_I);
  // "controller" → "controll" → "control", "stopped" → "stop"
  return stem !== word && /([^aeiouls])\1$|ll$/.test(stem) && stem.length > 4 ? stem.slice(0, -1) : stem;
}

export function stem(word: string, lang: Lang): string {
  return lang === 'lv' ? stemLv(word) : stemEn(word);
}
