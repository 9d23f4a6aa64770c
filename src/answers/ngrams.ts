import type { KnowledgeEntry, Lang } from './schema.js';
import { contentWords, isCue } from './terms.js';

/*
 * Character trigram TF-IDF over sample questions and keywords: "^dz", "zes", "na$"… from the
 * folded content words. Inflected and misspelt forms share most of their grams, so this catches
 * what stems and the speller miss ("glabāsiet"/"glabājat", "recieve"/"receive").
 * Postings are flat typed arrays: a question is scored in a few thousand multiply-adds. Trigrams
 * alone matched 3+4-grams on the dev sets at half the build time.
 */
const SIZES = [3];

function wordGrams(word: string): string[] {
  if (isCue(word)) return [];
  const padded = `^${word}$`;
  const out: string[] = [];
  for (const n of SIZES) for (let i = 0; i + n <= padded.length; i++) out.push(padded.slice(i, i + n));
  return out;
}

/** Gram → count over the words. */
export function grams(words: readonly string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const word of words) for (const g of wordGrams(word)) out.set(g, (out.get(g) ?? 0) + 1);
  return out;
}

function grow(array: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const bigger = new Int32Array(array.length * 2);
  bigger.set(array);
  return bigger;
}

export class GramIndex {
  private readonly ids = new Map<string, number>();
  private readonly idf: Float64Array;
  /** postings of gram g: phrase ids and unit-vector weights at [start[g], start[g + 1]) */
  private readonly start: Int32Array;
  private readonly phrase: Int32Array;
  private readonly weight: Float64Array;
  private readonly phraseEntry: Int32Array;
  private readonly dots: Float64Array;
  private readonly unseenIdf: number;

  constructor(entries: readonly KnowledgeEntry[], lang: Lang, wordsOf: (text: string) => string[] = contentWords) {
    // phrases as flat rows of (gram id, count); a word's gram ids are computed once
    const wordIds = new Map<string, number[]>();
    const rowStart = [0];
    const rowGram: number[] = [];
    const rowTf: number[] = [];
    const entryOf: number[] = [];
    const df: number[] = [];
    let counts = new Int32Array(1 << 14);
    entries.forEach((entry, i) => {
      for (const text of [...entry.questions[lang], ...entry.keywords[lang]]) {
        const touched: number[] = [];
        for (const word of wordsOf(text)) {
          let list = wordIds.get(word);
          if (!list) {
            list = wordGrams(word).map((key) => {
              let id = this.ids.get(key);
              if (id === undefined) this.ids.set(key, (id = df.push(0) - 1));
              if (id >= counts.length) counts = grow(counts);
              return id;
            });
            wordIds.set(word, list);
          }
          for (const id of list) {
            if (counts[id] === 0) touched.push(id);
            counts[id] = counts[id]! + 1;
          }
        }
        if (touched.length === 0) continue;
        for (const id of touched) {
          rowGram.push(id);
          rowTf.push(counts[id]!);
          df[id]!++;
          counts[id] = 0;
        }
        rowStart.push(rowGram.length);
        entryOf.push(i);
      }
    });
    const n = entryOf.length;
    this.unseenIdf = Math.log(Math.max(n, 1));
    this.idf = Float64Array.from(df, (d) => Math.log(n / d));
    this.start = new Int32Array(df.length + 1);
    for (let g = 0; g < df.length; g++) this.start[g + 1] = this.start[g]! + df[g]!;
    this.phrase = new Int32Array(this.start[df.length]!);
    this.weight = new Float64Array(this.phrase.length);
    const fill = this.start.slice(0, df.length);
    for (let p = 0; p < n; p++) {
      let norm = 0;
      for (let k = rowStart[p]!; k < rowStart[p + 1]!; k++) {
        const w = (1 + Math.log(rowTf[k]!)) * this.idf[rowGram[k]!]!;
        rowTf[k] = w;
        norm += w * w;
      }
      norm = Math.sqrt(norm) || 1;
      for (let k = rowStart[p]!; k < rowStart[p + 1]!; k++) {
        const at = fill[rowGram[k]!]!++;
        this.phrase[at] = p;
        this.weight[at] = rowTf[k]! / norm;
      }
    }
    this.phraseEntry = Int32Array.from(entryOf);
    this.dots = new Float64Array(n);
  }

  /** Per entry, the best cosine of the question with one of its phrases. */
  score(words: readonly string[]): Map<number, number> {
    const query: [number, number][] = [];
    let norm = 0;
    for (const [key, tf] of grams(words)) {
      const id = this.ids.get(key);
      // grams the knowledge base never uses still count in the question's length
      const w = (1 + Math.log(tf)) * (id === undefined ? this.unseenIdf : this.idf[id]!);
      norm += w * w;
      if (id !== undefined && w > 0) query.push([id, w]);
    }
    norm = Math.sqrt(norm) || 1;
    const { dots, start, phrase, weight } = this;
    const touched: number[] = [];
    for (const [g, w] of query) {
      const q = w / norm;
      for (let at = start[g]!, end = start[g + 1]!; at < end; at++) {
        const p = phrase[at]!;
        if (dots[p] === 0) touched.push(p);
        dots[p] = dots[p]! + q * weight[at]!;
      }
    }
    const result = new Map<number, number>();
    for (const p of touched) {
      const entry = this.phraseEntry[p]!;
      if (dots[p]! > (result.get(entry) ?? 0)) result.set(entry, dots[p]!);
      dots[p] = 0;
    }
    return result;
  }
}
