import type { KnowledgeEntry, Lang } from './schema.js';
import { contentWords } from './terms.js';

/*
 * Character n-gram TF-IDF over sample questions and keywords: "^dzes", "esan", "na$"… from the
 * folded content words. Inflected and misspelt forms share most of their grams, so this catches
 * what stems and the speller miss ("glabāsiet"/"glabājat", "recieve"/"receive").
 */
const SIZES = [3, 4];

export function grams(words: readonly string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const word of words) {
    const padded = `^${word}$`;
    for (const n of SIZES) {
      for (let i = 0; i + n <= padded.length; i++) {
        const g = padded.slice(i, i + n);
        out.set(g, (out.get(g) ?? 0) + 1);
      }
    }
  }
  return out;
}

export class GramIndex {
  /** gram → [phrase id, tf-idf weight of the gram in the phrase's unit vector] */
  private readonly postings = new Map<string, [number, number][]>();
  private readonly idf = new Map<string, number>();
  private readonly phraseEntry: number[] = [];

  constructor(entries: readonly KnowledgeEntry[], lang: Lang) {
    const phrases: Map<string, number>[] = [];
    entries.forEach((entry, i) => {
      for (const text of [...entry.questions[lang], ...entry.keywords[lang]]) {
        const g = grams(contentWords(text));
        if (g.size === 0) continue;
        phrases.push(g);
        this.phraseEntry.push(i);
      }
    });
    const df = new Map<string, number>();
    for (const g of phrases) for (const key of g.keys()) df.set(key, (df.get(key) ?? 0) + 1);
    for (const [key, n] of df) this.idf.set(key, Math.log(phrases.length / n));
    phrases.forEach((g, id) => {
      const vector = [...g].map(([key, tf]) => [key, (1 + Math.log(tf)) * this.idf.get(key)!] as const);
      const norm = Math.hypot(...vector.map(([, w]) => w)) || 1;
      for (const [key, w] of vector) {
        let list = this.postings.get(key);
        if (!list) this.postings.set(key, (list = []));
        list.push([id, w / norm]);
      }
    });
  }

  /** Per entry, the best cosine of the question with one of its phrases. */
  score(words: readonly string[]): Map<number, number> {
    const query = grams(words);
    const vector: [string, number][] = [];
    for (const [key, tf] of query) {
      const idf = this.idf.get(key);
      // grams the knowledge base never uses still count in the question's length
      vector.push([key, (1 + Math.log(tf)) * (idf ?? Math.log(this.phraseEntry.length))]);
    }
    const norm = Math.hypot(...vector.map(([, w]) => w)) || 1;
    const dots = new Map<number, number>();
    for (const [key, w] of vector) {
      for (const [id, pw] of this.postings.get(key) ?? []) dots.set(id, (dots.get(id) ?? 0) + (w / norm) * pw);
    }
    const result = new Map<number, number>();
    for (const [id, dot] of dots) {
      const entry = this.phraseEntry[id]!;
      if (dot > (result.get(entry) ?? 0)) result.set(entry, dot);
    }
    return result;
  }
}
