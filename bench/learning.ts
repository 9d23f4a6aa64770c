/**
 * The review loop's costs, each beside a baseline measured in the same run (`npm run bench:learning`):
 * - the eval gate with its word index, against asking every labelled question's similarity the plain way;
 * - building and swapping in an overlay version, against building the answer engine again (a restart);
 * - a question through the overlay, against the engine alone.
 */
import { AnswerEngine } from '../src/answers/engine.js';
import { loadKnowledge } from '../src/answers/knowledge.js';
import { labelledSamples } from '../src/answers/training.js';
import { Gate } from '../src/learning/gate.js';
import { type Change, EMPTY, MATCH_AT, Overlay, Snapshot } from '../src/learning/overlay.js';
import { similarity, vector } from '../src/learning/similar.js';
import type { Space } from '../src/state/port.js';

const ms = (t0: number) => performance.now() - t0;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (x: number) => (x < 10 ? x.toFixed(2) : x.toFixed(0));

const kb = loadKnowledge();
const engine = new AnswerEngine(kb);
const samples = labelledSamples(kb).filter((s) => s.weight >= 1);
const questions = [
  'Vai mani dati tiek izmantoti mākslīgā intelekta apmācībai?',
  'Vai jūsu darbinieki var redzēt manu elektrības patēriņu?',
  'Do you use my data to train artificial intelligence?',
  'Vai jūs ierakstāt telefona sarunas ar klientiem?',
  'Kas notiek ar maniem datiem, ja uzņēmumu pārdod?',
];
const change = (texts: string[], entryId = 'purposes-overview'): Omit<Change, 'seq'> => ({
  kind: 'add',
  entryId,
  texts: texts.map((text) => ({ text, lang: 'lv' as const })),
  cluster: 'bench',
  by: 'bench',
  at: 0,
});

// 1. The gate.
const gate = new Gate(() => samples);
const base = new Snapshot(EMPTY, engine);
let t0 = performance.now();
gate.check(base, base.with(change([questions[0]!])), [questions[0]!]);
const firstGate = ms(t0);
const gateTimes = questions.map((q) => {
  const start = performance.now();
  gate.check(base, base.with(change([q])), [q]);
  return ms(start);
});
const plainTimes = questions.slice(0, 2).map((q) => {
  const start = performance.now();
  const v = vector(q);
  let near = 0;
  for (const s of samples) if (similarity(v, vector(s.text)) >= MATCH_AT) near++;
  return ms(start) + near * 0;
});
console.log(`labelled questions in the gate: ${samples.length}`);
console.log(`gate, first check (builds the word index): ${fmt(firstGate)} ms`);
console.log(
  `gate, one question: median ${fmt(median(gateTimes))} ms  | baseline (features of every labelled question): median ${fmt(median(plainTimes))} ms`,
);

// 2. Building and swapping a version.
const memory = new Map<string, unknown>();
const space = { get: async (k: string) => memory.get(k), batch: async () => {} } as unknown as Space<unknown>;
for (const n of [10, 100, 1000]) {
  const texts = Array.from({ length: n }, (_, i) => `${questions[i % questions.length]} ${i}`);
  const overlay = new Overlay(space, engine);
  t0 = performance.now();
  const next = overlay.snapshot.with(change(texts));
  overlay.swap(next);
  console.log(`overlay version with ${n} exemplars: built and swapped in ${fmt(ms(t0))} ms`);
}
t0 = performance.now();
new AnswerEngine(loadKnowledge());
console.log(`baseline: a new answer engine from the files and the prebuilt models (what a restart costs): ${fmt(ms(t0))} ms`);

// 3. A question through the overlay.
const with100 = base.with(change(Array.from({ length: 100 }, (_, i) => `${questions[i % questions.length]} ${i}`)));
const asked = samples.slice(0, 2000).map((s) => s.text);
const time = (ask: (q: string) => unknown) => {
  const times = asked.map((q) => {
    const start = performance.now();
    ask(q);
    return ms(start);
  });
  const sorted = [...times].sort((a, b) => a - b);
  return { p50: sorted[Math.floor(sorted.length / 2)]!, p99: sorted[Math.floor(sorted.length * 0.99)]! };
};
const plain = time((q) => engine.ask(q, 'lv'));
// uncached: a fresh snapshot's cache is empty for every question
const overlaid = time((q) => with100.match(q) ?? engine.ask(q, 'lv'));
console.log(
  `per question (2000 labelled questions): engine p50 ${fmt(plain.p50)} ms p99 ${fmt(plain.p99)} ms | engine + overlay of 100 exemplars p50 ${fmt(overlaid.p50)} ms p99 ${fmt(overlaid.p99)} ms`,
);
