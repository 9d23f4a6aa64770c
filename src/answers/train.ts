import { features } from './features.js';
import { decide } from './decide.js';
import { indexed, LinearModel, softmax, TRAIN_OPTIONS, vocabulary, type Sample } from './model.js';
import type { KnowledgeBase } from './schema.js';
import {
  classesOf,
  DEFAULT_CALIBRATION,
  EXERCISE,
  inputHash,
  NONE,
  trainIntentModel,
  trainActModel,
  trainLangModel,
  type Artefact,
  type Calibration,
  partnersOf,
  type Labelled,
  type TrainingFile,
} from './training.js';

/*
 * Build-time training: cross-validation over the labelled questions of knowledge/training
 * (the knowledge base's own samples are always trained on) gives out-of-fold probabilities;
 * the temperature that minimises their log-loss and the answer thresholds (one for entries and
 * wishes, one for conversation intents) that maximise their accuracy (answered right or refused
 * right) are kept; then the final models train on everything.
 */

export const FOLDS = 5;
/** Out-of-fold share of answers at confidence ≥ 0.9 that must be right (unseen sets need ≥ 97 %). */
const SURE_PRECISION = 0.985;
/** The answer thresholds tried: below MIN_AT nearly every guess would answer. */
const MIN_AT = 0.05;
const MAX_AT = 0.8;

export interface OutOfFold {
  sample: Labelled;
  logits: Float64Array;
}

export function crossValidate(kb: KnowledgeBase, labelled: Labelled[], heldOut: (s: Labelled) => boolean): OutOfFold[] {
  const classes = classesOf(kb);
  const at = new Map(classes.map((c, i) => [c, i]));
  const samples = labelled.filter((s) => at.has(s.label));
  const rows: Sample[] = samples.map((s) => ({ features: features(s.text), label: at.get(s.label)!, weight: s.weight }));
  const index = vocabulary(rows, TRAIN_OPTIONS.minCount);
  const all = rows.map((row) => indexed(row, index));
  // a fold holds out whole files, i.e. writers: one writer's paraphrases would otherwise sit on both sides
  const files = [...new Set(samples.filter(heldOut).map((s) => s.file ?? ''))].sort();
  const foldOf = new Map(files.map((file, i) => [file, i % FOLDS]));
  const out: OutOfFold[] = [];
  for (let fold = 0; fold < FOLDS; fold++) {
    const test = samples.map((s, i) => (heldOut(s) && foldOf.get(s.file ?? '') === fold ? i : -1)).filter((i) => i >= 0);
    const skip = new Set(test);
    const model = LinearModel.trainIndexed(
      classes,
      index,
      all.filter((_, i) => !skip.has(i)),
      TRAIN_OPTIONS,
    );
    for (const i of test) out.push({ sample: samples[i]!, logits: model.logits(rows[i]!.features) });
  }
  return out;
}

function logLoss(oof: OutOfFold[], classes: string[], temperature: number): number {
  let loss = 0;
  for (const { sample, logits } of oof) loss -= Math.log(Math.max(1e-12, softmax(logits, temperature)[classes.indexOf(sample.label)]!));
  return loss / oof.length;
}

/**
 * Whether a decision is right for a labelled question: the same class, or for a question about a
 * right's entry the wish to exercise it (whose answer is that entry too).
 */
function isRight(kb: KnowledgeBase, partners: Map<string, string>, got: string, label: string): boolean {
  return got === label || (kb.entries.has(label) && partners.get(got) === label);
}

export function fitCalibration(oof: OutOfFold[], kb: KnowledgeBase): Calibration {
  const classes = classesOf(kb);
  const partners = partnersOf(kb);
  const intents = new Set<string>(kb.intents.keys());
  let temperature = 1;
  let best = Infinity;
  for (let t = 0.3; t <= 3.001; t += 0.05) {
    const loss = logLoss(oof, classes, t);
    if (loss < best) [best, temperature] = [loss, Math.round(t * 100) / 100];
  }
  // training questions are easier than unseen ones: soften until answers at ≥ 0.9 hold a margin above 97 %
  const sureRight = (t: number) => {
    let all = 0;
    let ok = 0;
    for (const { sample, logits } of oof) {
      const d = decide(logits, classes, { ...DEFAULT_CALIBRATION, temperature: t, answerAt: 0, intentAt: 0 }, partners, intents);
      if (d.label === NONE || d.confidence < 0.9) continue;
      all++;
      if (isRight(kb, partners, d.label, sample.label)) ok++;
    }
    return all === 0 ? 1 : ok / all;
  };
  while (temperature < 3 && sureRight(temperature) < SURE_PRECISION) temperature = Math.round((temperature + 0.05) * 100) / 100;
  // each question's decision without a threshold: a threshold only turns answers into refusals
  const open = { ...DEFAULT_CALIBRATION, temperature, answerAt: 0, intentAt: 0 };
  const decided = oof.map(({ sample, logits }) => {
    const d = decide(logits, classes, open, partners, intents);
    return {
      answers: d.label !== NONE,
      intent: intents.has(d.label),
      confidence: d.confidence,
      right: isRight(kb, partners, d.label, sample.label),
      none: sample.label === NONE,
    };
  });
  const rightAt = (answerAt: number, intentAt: number) =>
    decided.reduce((n, d) => n + Number(d.answers && d.confidence >= (d.intent ? intentAt : answerAt) ? d.right : d.none), 0);
  const argmax = (score: (at: number) => number) => {
    let at = 0;
    let right = -1;
    for (let a = MIN_AT; a <= MAX_AT + 1e-9; a += 0.01) if (score(a) > right) [right, at] = [score(a), Math.round(a * 100) / 100];
    return at;
  };
  let answerAt = argmax((a) => rightAt(a, a));
  let intentAt = argmax((a) => rightAt(answerAt, a));
  answerAt = argmax((a) => rightAt(a, intentAt));
  intentAt = argmax((a) => rightAt(answerAt, a));
  return { ...DEFAULT_CALIBRATION, temperature, answerAt, intentAt };
}

export function buildArtefact(kb: KnowledgeBase, files: TrainingFile[], samples: Labelled[], calibration: Calibration): Artefact {
  return {
    hash: inputHash(kb, files),
    calibration,
    intent: trainIntentModel(kb, samples).store(),
    lang: trainLangModel(kb, samples).store(),
    act: trainActModel(samples, (label) => kb.entries.has(label)).store(),
  };
}

export { NONE };

const pct = (a: number, n: number) => (n === 0 ? '—' : `${((100 * a) / n).toFixed(1)} % (${a}/${n})`);

/** Group of a label for the figures: in-scope per language, out of scope, exercise, conversation. */
function kindOf(kb: KnowledgeBase, label: string, lang: string): string {
  if (kb.entries.has(label)) return `in-scope ${lang}`;
  if (label === NONE) return 'out of scope refused';
  if (label.startsWith(EXERCISE)) return 'exercise recognised';
  return 'conversation recognised';
}

/** Totals of out-of-fold decisions and a reliability table by confidence. */
export function report(oof: OutOfFold[], kb: KnowledgeBase, calibration: Calibration): string {
  const classes = classesOf(kb);
  const partners = partnersOf(kb);
  const intents = new Set<string>(kb.intents.keys());
  const groups = new Map<string, [number, number]>();
  const buckets = [0.9, 0.8, 0.7, 0.6, 0.5, 0].map((at) => ({ at, right: 0, all: 0 }));
  for (const { sample, logits } of oof) {
    const d = decide(logits, classes, calibration, partners, intents);
    const kind = kindOf(kb, sample.label, sample.lang);
    const g = groups.get(kind) ?? [0, 0];
    g[1]++;
    const right = isRight(kb, partners, d.label, sample.label);
    if (right) g[0]++;
    groups.set(kind, g);
    if (d.label !== NONE) {
      const b = buckets.find((x) => d.confidence >= x.at)!;
      b.all++;
      if (right) b.right++;
    }
  }
  const lines = [
    `calibration: temperature ${calibration.temperature}, answer at ${calibration.answerAt}, a conversation intent at ${calibration.intentAt}`,
  ];
  for (const [kind, [a, n]] of [...groups].sort()) lines.push(`${kind.padEnd(26)} ${pct(a, n)}`);
  lines.push('reliability (answers given, by confidence):');
  for (const b of buckets) lines.push(`  ≥ ${b.at.toFixed(1)}  ${pct(b.right, b.all)} right`);
  return lines.join('\n');
}
