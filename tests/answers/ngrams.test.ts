import { describe, expect, it } from 'vitest';
import { loadKnowledge } from '../../src/answers/knowledge.js';
import { GramIndex, grams } from '../../src/answers/ngrams.js';
import { contentWords } from '../../src/answers/terms.js';

describe('character trigrams', () => {
  it('marks word boundaries and counts repeats', () => {
    expect([...grams(['dati'])]).toEqual([['^da', 1], ['dat', 1], ['ati', 1], ['ti$', 1]]);
    expect(grams(['aaaa']).get('aaa')).toBe(2);
  });

  it('scores an inflected, misspelt question highest on the entry it is about, as a cosine', () => {
    const entries = [...loadKnowledge().entries.values()];
    for (const [lang, question, id] of [
      ['lv', 'cik ilgi glabāsiet manus datus', 'retention'],
      ['en', 'how long do you retian my data', 'retention'],
    ] as const) {
      const scores = new GramIndex(entries, lang).score(contentWords(question));
      const [best, score] = [...scores].sort((a, b) => b[1] - a[1])[0]!;
      expect(entries[best]!.id, question).toBe(id);
      expect(score).toBeGreaterThan(0);
      expect(score).toBeLessThanOrEqual(1 + 1e-9);
    }
  });

  it('gives nothing for words with no known trigram', () => {
    const index = new GramIndex([...loadKnowledge().entries.values()], 'en');
    expect(index.score(contentWords('qqxq zzjw')).size).toBe(0);
  });
});
