import type { Answer } from '../answers/engine.js';
import type { Labelled } from '../answers/training.js';
import type { Lang } from '../domain.js';
import { MATCH_AT, type Snapshot, WORD_CUT } from './overlay.js';
import { comparable, similarity, vector, wordCounts, wordSimilarity } from './similar.js';

/** A labelled question whose answer a change would turn away from its label. */
export interface Conflict {
  text: string;
  lang: Lang;
  /** What the question should get (entry id, `none`, an intent, `exercise:<right>`). */
  label: string;
  was: string;
  would: string;
}

interface Sample {
  text: string;
  lang: Lang;
  label: string;
  words: Map<string, number>;
}

/** What an answer amounts to, in the labels of knowledge/training. */
export function labelOf(a: Answer): string {
  if (a.intent === 'policy') return a.entry?.id ?? 'none';
  if (a.intent === 'exercise') return `exercise:${a.exercise ?? ''}`;
  return a.intent;
}

/**
 * The eval gate: a change may not turn any labelled question (knowledge/training/*.jsonl, every
 * entry's sample questions, the intents' and out-of-scope samples) away from the answer it gets
 * now, unless to its own label. Only questions alike enough to a new exemplar can change, so only
 * those are asked again. Cosine is the sum of four unit groups (words, stems, bigrams, n-grams) over
 * at most four: reaching MATCH_AT needs the word group alone at ≥ 4·MATCH_AT − 3, which the word
 * index finds without computing features for the thousands of others.
 */
export class Gate {
  private index?: { samples: Sample[]; byWord: Map<string, number[]> };

  constructor(private readonly samples: () => Labelled[]) {}

  /** Built on the first review action of an instance (~0.5 s), not at start-up. */
  private build(): NonNullable<Gate['index']> {
    const samples: Sample[] = [];
    const byWord = new Map<string, number[]>();
    for (const s of this.samples()) {
      if (s.weight < 1 || (s.lang !== 'lv' && s.lang !== 'en')) continue;
      const words = wordCounts(comparable(s.text));
      const i = samples.push({ text: s.text, lang: s.lang, label: s.label, words }) - 1;
      for (const w of words.keys()) {
        const list = byWord.get(w);
        if (list) list.push(i);
        else byWord.set(w, [i]);
      }
    }
    return { samples, byWord };
  }

  /** Questions `after` would answer differently from `before`, away from their label; `added` are the new exemplars. */
  check(before: Snapshot, after: Snapshot, added: string[]): { conflicts: Conflict[]; asked: number; samples: number } {
    this.index ??= this.build();
    const { samples, byWord } = this.index;
    const near = new Set<number>();
    for (const text of added) {
      const v = vector(text);
      const seen = new Set<number>();
      for (const w of v.words.keys()) for (const i of byWord.get(w) ?? []) seen.add(i);
      for (const i of seen) {
        const s = samples[i]!;
        if (wordSimilarity(v.words, s.words) >= WORD_CUT && similarity(v, vector(s.text)) >= MATCH_AT) near.add(i);
      }
    }
    const conflicts: Conflict[] = [];
    for (const i of [...near].sort((a, b) => a - b)) {
      const s = samples[i]!;
      const was = labelOf(before.ask(s.text, s.lang));
      const would = labelOf(after.ask(s.text, s.lang));
      if (was !== would && would !== s.label) conflicts.push({ text: s.text, lang: s.lang, label: s.label, was, would });
    }
    return { conflicts, asked: near.size, samples: samples.length };
  }
}
