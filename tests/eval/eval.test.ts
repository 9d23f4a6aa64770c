import { describe, expect, it } from 'vitest';
import { evaluate, formatReport, readQuestions } from './run.js';

/** The floor the answer engine must hold on the labelled eval set (see tests/eval/README.md). */
const FLOOR = { inScope: 0.95, outOfScopeRefused: 0.9 };

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
