import { features, tokens } from '../answers/features.js';
import { redact, withoutMarkers } from './redact.js';

/*
 * How alike two questions are, read with the answer engine's own features: folded words, stems,
 * word bigrams and character n-grams, each group of unit length. Length, "?" and emoji are left
 * out, so two unrelated questions of the same length do not look alike. Markers of redacted data
 * are left out too: "… [email]" and the same question with another address are the same question.
 */

export interface Vector {
  weights: Map<string, number>;
  norm: number;
  /** The folded words and how often each occurs (the engine's word group before scaling). */
  words: Map<string, number>;
}

const TEXT_GROUPS = /^[wlebc]\|/;

/** What is compared of a text: redacted, without markers. */
export function comparable(text: string): string {
  return withoutMarkers(redact(text));
}

/** `clean`: the text already made comparable, when the caller has it. */
export function vector(text: string, clean = comparable(text)): Vector {
  const weights = new Map<string, number>();
  let sum = 0;
  for (const [key, w] of features(clean)) {
    if (!TEXT_GROUPS.test(key)) continue;
    weights.set(key, w);
    sum += w * w;
  }
  return { weights, norm: Math.sqrt(sum), words: wordCounts(clean) };
}

export function wordCounts(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const w of tokens(text)) counts.set(w, (counts.get(w) ?? 0) + 1);
  return counts;
}

/** Cosine similarity, 0..1. */
export function similarity(a: Vector, b: Vector): number {
  if (a.norm === 0 || b.norm === 0) return 0;
  const [small, large] = a.weights.size <= b.weights.size ? [a.weights, b.weights] : [b.weights, a.weights];
  let dot = 0;
  for (const [key, w] of small) {
    const v = large.get(key);
    if (v !== undefined) dot += w * v;
  }
  return dot / (a.norm * b.norm);
}

/** The word group's cosine alone: cheap, and a bound on the whole (see gate.ts). */
export function wordSimilarity(a: Map<string, number>, b: Map<string, number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (const [w, c] of a) {
    na += c * c;
    dot += c * (b.get(w) ?? 0);
  }
  for (const c of b.values()) nb += c * c;
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}
