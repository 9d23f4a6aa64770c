import { normalize, truncate } from './normalize.js';
import { stemEn, stemLv } from './stem.js';

/*
 * What the models read of a text: folded words, their Latvian and English stems, word bigrams,
 * character 3–5-grams of each word (inflections and typos share most of them), emoji, the
 * message's length and whether it asks ("?"). Every group is scaled to unit length, so a long
 * message weighs as much as a short one and no group drowns the others. Function words stay:
 * the model learns what "can I" or "please" says about a message.
 */

export type Features = Map<string, number>;

const PICTOGRAPH = /\p{Extended_Pictographic}/gu;
const MIN_GRAM = 3;
const MAX_GRAM = 5;

function lengthBucket(n: number): string {
  if (n <= 2) return String(n);
  if (n <= 4) return '3-4';
  if (n <= 8) return '5-8';
  if (n <= 16) return '9-16';
  return '17+';
}

function addGroup(out: Features, keys: Iterable<string>, weight = 1): void {
  const counts = new Map<string, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  let norm = 0;
  for (const c of counts.values()) norm += c * c;
  if (norm === 0) return;
  const scale = weight / Math.sqrt(norm);
  for (const [key, c] of counts) out.set(key, (out.get(key) ?? 0) + c * scale);
}

function* grams(word: string): Generator<string> {
  const padded = `<${word}>`;
  for (let n = MIN_GRAM; n <= MAX_GRAM; n++) {
    for (let i = 0; i + n <= padded.length; i++) yield `c|${padded.slice(i, i + n)}`;
  }
}

/** The folded words of a text, as the models see them. */
export function tokens(text: string): string[] {
  const norm = normalize(truncate(text));
  return norm ? norm.split(' ') : [];
}

/**
 * Features of a text. `extra` are words read in place of unknown ones (a typo's correction),
 * added at `extraWeight` of a word's weight.
 */
export function features(text: string, extra: string[] = [], extraWeight = 0.5): Features {
  const words = tokens(text);
  const out: Features = new Map();
  addGroup(
    out,
    words.map((w) => `w|${w}`),
  );
  addGroup(
    out,
    words.flatMap((w) => (w.length < 3 ? [] : [`l|${stemLv(w)}`, `e|${stemEn(w)}`])),
  );
  addGroup(
    out,
    words.slice(1).map((w, i) => `b|${words[i]} ${w}`),
  );
  addGroup(
    out,
    words.flatMap((w) => [...grams(w)]),
  );
  if (extra.length > 0) {
    addGroup(
      out,
      extra.map((w) => `w|${w}`),
      extraWeight,
    );
    addGroup(
      out,
      extra.flatMap((w) => [`l|${stemLv(w)}`, `e|${stemEn(w)}`]),
      extraWeight,
    );
  }
  addGroup(
    out,
    (truncate(text).match(PICTOGRAPH) ?? []).map((p) => `p|${p}`),
  );
  out.set(`n|${lengthBucket(words.length)}`, 1);
  if (text.includes('?')) out.set('q|?', 1);
  return out;
}

/** Features for telling languages apart: words and character 1–3-grams of the text as written, diacritics kept. */
export function langFeatures(text: string): Features {
  const lower = truncate(text).toLowerCase();
  const words = lower.split(/[^\p{L}]+/u).filter(Boolean);
  const out: Features = new Map();
  addGroup(
    out,
    words.map((w) => `w|${w}`),
  );
  addGroup(
    out,
    words.flatMap((w) => {
      const padded = ` ${w} `;
      const list: string[] = [];
      for (let n = 1; n <= 3; n++)
        for (let i = 0; i + n <= padded.length; i++) if (padded.slice(i, i + n).trim()) list.push(`c|${padded.slice(i, i + n)}`);
      return list;
    }),
  );
  return out;
}
