import Fuse from 'fuse.js';

/** Only words this long get the slower fuse.js pass: short words have too many near neighbours. */
const FUZZY_MIN = 6;
/** fuse.js score (0 exact … 1 anything) a long word must reach to count as a misspelling. */
const FUZZY_THRESHOLD = 0.25;
const CACHE_SIZE = 5000;

/**
 * Typo correction by symmetric deletes (the SymSpell idea): a word and a known word within one
 * edit share a one-letter deletion. Lookups are a few map reads, not a scan of the vocabulary.
 */
export class Speller {
  /** deletion → the known word(s) it comes from; a lone word is kept as a string to spare memory */
  private readonly deletes = new Map<string, string | string[]>();
  private readonly known: ReadonlySet<string>;
  /** Long words by first letter; fuse.js indexes one letter's words when first needed. */
  private readonly byLetter = new Map<string, string[]>();
  private readonly fuzzy = new Map<string, Fuse<string>>();
  private readonly cache = new Map<string, string | null>();

  constructor(words: Iterable<string>) {
    this.known = new Set(words);
    for (const word of this.known) {
      if (word.length < FUZZY_MIN - 1) continue;
      const list = this.byLetter.get(word[0]!);
      if (list) list.push(word);
      else this.byLetter.set(word[0]!, [word]);
    }
    for (const word of this.known) {
      if (word.length < 4) continue;
      for (const variant of deletions(word)) {
        const seen = this.deletes.get(variant);
        if (seen === undefined) this.deletes.set(variant, word);
        else if (typeof seen === 'string') this.deletes.set(variant, [seen, word]);
        else seen.push(word);
      }
    }
  }

  /** Known words within one edit (insert, delete, substitute, swap), closest first. */
  candidates(word: string): string[] {
    if (word.length < 4 || this.known.has(word)) return [];
    const found = new Set<string>();
    for (const variant of [word, ...deletions(word)]) {
      const hits = this.deletes.get(variant);
      if (typeof hits === 'string') found.add(hits);
      else if (hits) for (const hit of hits) found.add(hit);
      if (this.known.has(variant)) found.add(variant);
    }
    return [...found].filter((hit) => distance(word, hit) <= 1);
  }

  private fuse(letter: string): Fuse<string> | undefined {
    let fuse = this.fuzzy.get(letter);
    const list = this.byLetter.get(letter);
    if (!fuse && list) {
      fuse = new Fuse(list, { includeScore: true, threshold: FUZZY_THRESHOLD, ignoreLocation: true });
      this.fuzzy.set(letter, fuse);
    }
    return fuse;
  }

  /**
   * A known long word within two edits, by fuse.js (bitap) — for words with two typos that
   * candidates() misses ("privatuma politka" is one edit, "inspekcjia datu" two). Memoised.
   */
  closest(word: string): string | undefined {
    if (word.length < FUZZY_MIN || word.length > 32) return undefined;
    const cached = this.cache.get(word);
    if (cached !== undefined) return cached ?? undefined;
    const hit = this.fuse(word[0]!)
      ?.search(word, { limit: 3 })
      .find((result) => distance(word, result.item) <= 2)?.item;
    if (this.cache.size >= CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(word, hit ?? null);
    return hit;
  }
}

function deletions(word: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < word.length; i++) out.push(word.slice(0, i) + word.slice(i + 1));
  return out;
}

/** Optimal string alignment distance (Levenshtein plus adjacent swaps). */
export function distance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, row[j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      row.push(d);
    }
    rows.push(row);
  }
  return rows[a.length]![b.length]!;
}
