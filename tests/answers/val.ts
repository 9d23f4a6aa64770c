/*
 * npm run eval:val — totals per validation set (tests/answers/validation/val-*.jsonl), asked as
 * `thunder ask --json` asks (default language lv). Prints no question and no per-line result:
 * these sets are never tuned on (tests/answers/validation/README.md).
 */
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { AnswerEngine } from '../../src/answers/engine.js';
import { loadKnowledge } from '../../src/answers/knowledge.js';
import { ROOT } from '../../src/paths.js';
import { formatTotals, readLines, score } from '../eval/score.js';

const dir = resolve(ROOT, 'tests/answers/validation');
const engine = new AnswerEngine(loadKnowledge());
const sets = readdirSync(dir)
  .filter((f) => /^val-.*\.jsonl$/.test(f))
  .sort();
if (sets.length === 0) console.log('no validation set in tests/answers/validation (the ones read line by line are training data now)');
for (const file of sets) {
  const lines = readLines(resolve(dir, file));
  const totals = score(lines, (q) => {
    const a = engine.ask(q, 'lv');
    return { ...a, entry: a.entry?.id ?? null };
  });
  console.log(`${file} (${lines.length} lines)\n${formatTotals(totals)}\n`);
}
