import type { KnowledgeBase, KnowledgeEntry, Lang } from './schema.js';
import { Speller } from './spell.js';
import { stem } from './stem.js';
import { LIGHT_WEIGHT, LIGHT_WORDS } from './stopwords.js';
import { contentWords, isCue } from './terms.js';

const MAX_STEM_CACHE = 20_000;

/** Terms found only in an entry's answer or section title count for less than its questions. */
export const ANSWER_WEIGHT = 0.25;

/**
 * A long sample question (a situation, then the question) counts as a quarter of one for its
 * entry's postings: its context words ("bill", "moving", "contract") must not make the entry the
 * answer to an errand about them. It still counts fully as a phrase to match.
 */
const LONG_SAMPLE = 7;
const LONG_SAMPLE_WEIGHT = 0.25;

/** A stem in one sample question weighs 0.6 (0.33 in one long one), in several up to 1: a recurring word is the entry's topic. */
function phraseWeight(count: number): number {
  return 1 - 0.4 * 0.5 ** (count - 1);
}

export interface Phrase {
  entry: number;
  /** stem → idf */
  terms: Map<string, number>;
  mass: number;
}

/** Everything the matcher needs for one language, built once. */
export class LangIndex {
  readonly entries: KnowledgeEntry[];
  /** stem → ids of entries whose questions/keywords hold it, weight 1, or only the answer, ANSWER_WEIGHT */
  readonly postings = new Map<string, Map<number, number>>();
  readonly idf = new Map<string, number>();
  /** Sample questions and keywords, each as a weighted stem set, grouped by stem for lookup. */
  readonly phrases: Phrase[] = [];
  readonly phrasesByStem = new Map<string, number[]>();
  /** folded word → number of times seen, the speller's vocabulary */
  readonly words = new Map<string, number>();
  readonly speller: Speller;
  readonly sortedStems: string[];
  readonly maxIdf: number;
  private readonly stemCache = new Map<string, string>();

  /** `wordsOf` lets the engine share one content-word pass per sample with the n-gram index. */
  constructor(
    kb: KnowledgeBase,
    readonly lang: Lang,
    private readonly wordsOf: (text: string) => string[] = contentWords,
  ) {
    this.entries = [...kb.entries.values()];
    const phraseStems: { entry: number; stems: Set<string> }[] = [];
    this.entries.forEach((entry, i) => {
      const counts = new Map<string, number>();
      const texts = [...entry.questions[lang], ...entry.keywords[lang]];
      for (const text of texts) {
        const set = this.stemsOf(text);
        if (set.size > 0) phraseStems.push({ entry: i, stems: set });
        const seen = set.size > LONG_SAMPLE ? LONG_SAMPLE_WEIGHT : 1;
        for (const s of set) counts.set(s, (counts.get(s) ?? 0) + seen);
      }
      const own = new Map([...counts].map(([s, count]) => [s, phraseWeight(count)]));
      for (const text of [entry.answer[lang], entry.section.title[lang]]) {
        for (const s of this.stemsOf(text)) if (!own.has(s)) own.set(s, ANSWER_WEIGHT);
      }
      for (const [s, weight] of own) {
        let posting = this.postings.get(s);
        if (!posting) this.postings.set(s, (posting = new Map()));
        posting.set(i, weight);
      }
    });
    const n = this.entries.length;
    for (const [s, posting] of this.postings) {
      let df = 0;
      for (const weight of posting.values()) df += weight;
      this.idf.set(s, Math.log(1 + (n - df + 0.5) / (df + 0.5)) * (LIGHT_WORDS.has(s) ? LIGHT_WEIGHT : 1));
    }
    this.maxIdf = Math.log(1 + (n + 0.5) / 0.5);
    for (const { entry, stems: set } of phraseStems) {
      const terms = new Map<string, number>();
      let mass = 0;
      for (const s of set) {
        const idf = this.idf.get(s)!;
        terms.set(s, idf);
        mass += idf;
      }
      const id = this.phrases.push({ entry, terms, mass }) - 1;
      for (const s of set) {
        const list = this.phrasesByStem.get(s);
        if (list) list.push(id);
        else this.phrasesByStem.set(s, [id]);
      }
    }
    this.speller = new Speller(this.words.keys());
    this.sortedStems = [...this.postings.keys()].sort();
  }

  /** Stems are memoised: the vocabulary is small and questions repeat its words. */
  stem(word: string): string {
    let s = this.stemCache.get(word);
    if (s === undefined) {
      s = stem(word, this.lang);
      if (this.stemCache.size < MAX_STEM_CACHE) this.stemCache.set(word, s);
    }
    return s;
  }

  /** Distinct stems of a knowledge text's content words; also counts the words for the speller. */
  private stemsOf(text: string): Set<string> {
    const set = new Set<string>();
    for (const word of this.wordsOf(text)) {
      if (!isCue(word)) this.words.set(word, (this.words.get(word) ?? 0) + 1);
      set.add(this.stem(word));
    }
    return set;
  }

  /** A known stem that is `s` with up to 2 letters cut (keeping 4) or 3 added (sharing 5). */
  prefixMatch(s: string): string | undefined {
    if (s.length < 5) return undefined;
    for (let len = s.length - 1; len >= Math.max(4, s.length - 2); len--) {
      const head = s.slice(0, len);
      if (this.postings.has(head)) return head;
    }
    let lo = 0;
    let hi = this.sortedStems.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.sortedStems[mid]! < s) lo = mid + 1;
      else hi = mid;
    }
    const next = this.sortedStems[lo];
    return next?.startsWith(s) && next.length - s.length <= 3 ? next : undefined;
  }
}
