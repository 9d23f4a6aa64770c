import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { AnswerEngine } from '../../src/answers/engine.js';
import { loadKnowledge } from '../../src/answers/knowledge.js';
import { ROOT } from '../../src/paths.js';
import { evaluate, readQuestions } from '../eval/run.js';

/** One line per dev set (tests/answers/*.jsonl): in-scope top-1 per language and refusals. */
const dir = resolve(ROOT, 'tests/answers');
const engine = new AnswerEngine(loadKnowledge());
const pct = (ok: number, all: number) =>
  all === 0 ? '    —'.padEnd(17) : `${((100 * ok) / all).toFixed(1).padStart(5)} % ${`(${ok}/${all})`.padEnd(9)}`;
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.jsonl'))
  .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
for (const file of files) {
  const { inScope, outOfScope } = evaluate(readQuestions(resolve(dir, file)), engine);
  const cells = [
    `lv ${pct(inScope.lv.correct, inScope.lv.total)}`,
    `en ${pct(inScope.en.correct, inScope.en.total)}`,
    `refused ${pct(outOfScope.refused, outOfScope.total)}`,
  ];
  console.log(`${file.padEnd(22)} ${cells.join('   ')}`);
}
