import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { AnswerEngine } from '../../src/answers/engine.js';
import { loadKnowledge } from '../../src/answers/knowledge.js';
import { LANGS, type Lang } from '../../src/answers/schema.js';
import { ROOT } from '../../src/paths.js';

export const EVAL_FILE = resolve(ROOT, 'tests/eval/questions.jsonl');

const questionSchema = z.object({
  q: z.string(),
  lang: z.enum(LANGS),
  expect: z.string().nullable(),
  accept: z.array(z.string()).optional(),
});
export type EvalQuestion = z.infer<typeof questionSchema>;

export interface Confusion {
  q: string;
  lang: Lang;
  expected: string | null;
  got: string | null;
  confidence: number;
}

export interface EvalReport {
  /** Per language: in-scope questions and how many got a correct top-1 entry. */
  inScope: Record<Lang, { total: number; correct: number; accuracy: number }>;
  outOfScope: { total: number; refused: number; rate: number };
  confusions: Confusion[];
}

export function readQuestions(file = EVAL_FILE): EvalQuestion[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line, i) => {
      const parsed = questionSchema.safeParse(JSON.parse(line));
      if (!parsed.success) throw new Error(`${file}:${i + 1}: ${parsed.error.issues[0]?.message}`);
      return parsed.data;
    });
}

/** Asks every question with its labelled language as the default, as a channel would. */
export function evaluate(questions: EvalQuestion[], engine = new AnswerEngine(loadKnowledge())): EvalReport {
  const inScope = { lv: { total: 0, correct: 0, accuracy: 0 }, en: { total: 0, correct: 0, accuracy: 0 } };
  const outOfScope = { total: 0, refused: 0, rate: 0 };
  const confusions: Confusion[] = [];
  for (const question of questions) {
    const answer = engine.ask(question.q, question.lang);
    const got = answer.entry?.id ?? null;
    let ok: boolean;
    if (question.expect === null) {
      outOfScope.total++;
      ok = got === null;
      if (ok) outOfScope.refused++;
    } else {
      const stats = inScope[question.lang];
      stats.total++;
      ok = got === question.expect || (got !== null && (question.accept ?? []).includes(got));
      if (ok) stats.correct++;
    }
    if (!ok) confusions.push({ q: question.q, lang: question.lang, expected: question.expect, got, confidence: answer.confidence });
  }
  for (const stats of Object.values(inScope)) stats.accuracy = stats.total ? stats.correct / stats.total : 1;
  outOfScope.rate = outOfScope.total ? outOfScope.refused / outOfScope.total : 1;
  return { inScope, outOfScope, confusions };
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export function formatReport(report: EvalReport): string {
  const lines = LANGS.map((lang) => {
    const s = report.inScope[lang];
    return `in-scope ${lang}: ${pct(s.accuracy)} top-1 (${s.correct}/${s.total})`;
  });
  const o = report.outOfScope;
  lines.push(`out of scope refused: ${pct(o.rate)} (${o.refused}/${o.total})`);
  lines.push(`confusions (${report.confusions.length}):`);
  for (const c of report.confusions) {
    lines.push(`  [${c.lang}] ${JSON.stringify(c.q)}  expected ${c.expected ?? 'null'}  got ${c.got ?? 'null'} (${c.confidence})`);
  }
  return lines.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const file = process.argv[2] ? resolve(process.argv[2]) : EVAL_FILE;
  console.log(formatReport(evaluate(readQuestions(file))));
}
