import { describe, expect, it } from 'vitest';
import { loadKnowledge } from '../../src/answers/knowledge.js';
import { normalize } from '../../src/answers/normalize.js';
import { evaluate, formatReport, readQuestions } from './run.js';

/**
 * The floor the answer engine holds on the labelled eval set (see tests/eval/README.md).
 * The target is 95% / 90%; this is what the engine reaches today (lv 91.8%, en 93.8%,
 * out of scope 97.8%) less about one question, so a change that makes it worse fails here.
 */
const FLOOR = { inScope: 0.95, outOfScopeRefused: 0.95 };

describe('eval set', () => {
  const report = evaluate(readQuestions());

  it('has a real labelled set: both languages, out-of-scope questions', () => {
    expect(report.inScope.lv.total).toBeGreaterThanOrEqual(50);
    expect(report.inScope.en.total).toBeGreaterThanOrEqual(50);
    expect(report.outOfScope.total).toBeGreaterThanOrEqual(20);
  });

  it('answers in-scope questions correctly (top-1) in each language', () => {
    for (const lang of ['lv', 'en'] as const) {
      expect(report.inScope[lang].accuracy, formatReport(report)).toBeGreaterThanOrEqual(FLOOR.inScope);
    }
  });

  it('refuses out-of-scope questions', () => {
    expect(report.outOfScope.rate, formatReport(report)).toBeGreaterThanOrEqual(FLOOR.outOfScopeRefused);
  });
});

describe('eval set stays apart from the knowledge base', () => {
  it('no eval question is also a sample question of the knowledge base (ignoring case, diacritics, punctuation)', () => {
    const samples = new Set<string>();
    for (const entry of loadKnowledge().entries.values()) for (const q of [...entry.questions.lv, ...entry.questions.en]) samples.add(normalize(q));
    expect(readQuestions().map((q) => q.q).filter((q) => samples.has(normalize(q)))).toEqual([]);
  });
});
