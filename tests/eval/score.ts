import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Answer } from '../../src/answers/engine.js';
import { INTENTS, LANGS, RIGHTS } from '../../src/domain.js';

/** A labelled line of a validation set (tests/answers/validation/README.md). */
export const labelledLine = z.object({
  q: z.string(),
  lang: z.string(),
  kind: z.enum([...INTENTS.filter((i) => i !== 'none'), 'out_of_scope']),
  expect: z.string().nullable(),
  accept: z.array(z.string()).optional(),
  right: z.enum(RIGHTS).optional(),
});
export type LabelledLine = z.infer<typeof labelledLine>;

export function readLines(file: string): LabelledLine[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line, i) => {
      const parsed = labelledLine.safeParse(JSON.parse(line));
      if (!parsed.success) throw new Error(`${file}:${i + 1}: ${parsed.error.issues[0]?.message}`);
      return parsed.data;
    });
}

/** What the hidden evaluation reads of an answer: `thunder ask --json`'s fields. */
export type Reading = Pick<Answer, 'intent' | 'lang' | 'confidence' | 'exercise'> & { entry: string | null };

const CONVERSATION = new Set(['human', 'status', 'greeting', 'thanks', 'help']);
export const BUCKETS = [0.9, 0.8, 0.7, 0.6, 0.5, 0];

export interface Tally {
  right: number;
  all: number;
}
const tally = (): Tally => ({ right: 0, all: 0 });
const count = (t: Tally, ok: boolean) => {
  t.all++;
  if (ok) t.right++;
};

export interface Totals {
  inScope: Record<'lv' | 'en', Tally>;
  /** In-scope questions given no entry at all (of all in-scope). */
  inScopeRefused: Tally;
  refused: Tally;
  exercise: Tally;
  conversation: Tally;
  otherLanguage: Tally;
  answerLang: Tally;
  /** Answers given with an entry, by confidence bucket (BUCKETS): how many were right. */
  reliability: Tally[];
}

/** Totals only: a line's result is never returned, so a set can be read without being learnt from. */
export function score(lines: LabelledLine[], read: (q: string) => Reading): Totals {
  const totals: Totals = {
    inScope: { lv: tally(), en: tally() },
    inScopeRefused: tally(),
    refused: tally(),
    exercise: tally(),
    conversation: tally(),
    otherLanguage: tally(),
    answerLang: tally(),
    reliability: BUCKETS.map(tally),
  };
  for (const line of lines) {
    const a = read(line.q);
    const wanted = [line.expect, ...(line.accept ?? [])].filter((x): x is string => x !== null);
    let right: boolean | undefined;
    if (line.kind === 'policy') {
      right = a.entry !== null && wanted.includes(a.entry);
      if (line.lang === 'lv' || line.lang === 'en') count(totals.inScope[line.lang], right);
      count(totals.inScopeRefused, a.entry === null);
    } else if (line.kind === 'out_of_scope') {
      right = a.entry === null;
      count(totals.refused, right);
    } else if (line.kind === 'exercise') {
      right = a.intent === 'exercise' && a.exercise === line.right;
      count(totals.exercise, right);
    } else if (CONVERSATION.has(line.kind)) {
      count(totals.conversation, a.intent === line.kind);
    } else if (line.kind === 'other_language') {
      count(totals.otherLanguage, a.intent === 'other_language');
    }
    if ((LANGS as readonly string[]).includes(line.lang) && line.kind !== 'other_language') count(totals.answerLang, a.lang === line.lang);
    if (right !== undefined && a.entry !== null) count(totals.reliability[BUCKETS.findIndex((b) => a.confidence >= b)]!, right);
  }
  return totals;
}

const pct = (t: Tally) => (t.all === 0 ? '—' : `${((100 * t.right) / t.all).toFixed(1)} % (${t.right}/${t.all})`);

export function formatTotals(t: Totals): string {
  const rows: [string, Tally][] = [
    ['in-scope top-1 lv', t.inScope.lv],
    ['in-scope top-1 en', t.inScope.en],
    ['in-scope given no entry', t.inScopeRefused],
    ['out of scope refused', t.refused],
    ['exercise recognised', t.exercise],
    ['conversation recognised', t.conversation],
    ['other language recognised', t.otherLanguage],
    ['answer language correct', t.answerLang],
  ];
  const lines = rows.map(([name, x]) => `  ${name.padEnd(27)} ${pct(x)}`);
  lines.push('  reliability (answers with an entry, by confidence):');
  for (const [i, b] of BUCKETS.entries()) lines.push(`    ≥ ${b.toFixed(1)}  ${pct(t.reliability[i]!)} right`);
  return lines.join('\n');
}
