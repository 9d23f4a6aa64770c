/**
 * Longer input is cut here (the engine's own bound, so no channel has to remember it): a question,
 * even a long paragraph, fits; a pasted document does not need to.
 */
export const MAX_INPUT_CHARS = 1000;

const MARKS = /\p{M}+/gu;
const NOT_WORD = /[^\p{L}\p{N}]+/gu;
/** "e-pasts", "e-mail": a hyphen inside a word joins it, so "epasts" and "e-pasts" match. */
const INNER_HYPHEN = /(\p{L})[-‐‑](?=\p{L})/gu;

/** Cuts overlong input at a word boundary near the limit. */
export function truncate(text: string, max = MAX_INPUT_CHARS): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return space > max * 0.8 ? cut.slice(0, space) : cut;
}

/** Lowercase without diacritics: "Dzēšana" → "dzesana", so text typed without diacritics matches. */
export function fold(text: string): string {
  return text.toLowerCase().normalize('NFD').replace(MARKS, '');
}

/** Folded words separated by single spaces; punctuation, emoji and control characters dropped. */
export function normalize(text: string): string {
  const folded = fold(text);
  // the hyphen pattern is slow on long text and rarely needed
  return (/[-‐‑]/.test(folded) ? folded.replace(INNER_HYPHEN, '$1') : folded).replace(NOT_WORD, ' ').trim();
}

export function words(text: string): string[] {
  const norm = normalize(text);
  return norm ? norm.split(' ') : [];
}
