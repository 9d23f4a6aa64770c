import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { KNOWLEDGE_DIR } from '../paths.js';
import { features, langFeatures } from './features.js';
import { LinearModel, TRAIN_OPTIONS, type Sample, type StoredModel } from './model.js';
import { LANGS, RIGHTS, type KnowledgeBase } from './schema.js';
import { KnowledgeError } from '../core/errors.js';

/*
 * Everything the models learn from, all in knowledge/: the entries' sample questions and
 * keywords, the conversation intents, the wishes to exercise a right, what the policy does not
 * answer, the other languages' samples, and labelled questions in knowledge/training/*.jsonl
 * (earlier dev sets and questions written from the policy alone).
 *
 * Classes: one per entry, `exercise:<right>`, one per conversation intent, and `none`.
 */

export const NONE = 'none';
export const EXERCISE = 'exercise:';
/** A labelled message in a language Thunder does not serve: the language model learns from it, the intent model does not. */
export const OTHER_LANGUAGE = 'other_language';
/** Bump when features or training change in a way the inputs' hash cannot see. */
const METHOD_VERSION = 'linear-3';
export const TRAINING_DIR = join(KNOWLEDGE_DIR, 'training');
export const MODEL_FILE = join(KNOWLEDGE_DIR, 'model', 'answers.json');

/** Exercise and conversation samples (the knowledge base's and labelled ones) are fewer a class than an entry's: each counts more. */
const FEW_SAMPLES_WEIGHT = 2;
/** Weight of a keyword or term (a word or two) against a sample question. */
const TERM_WEIGHT = 0.4;

/** A labelled question: `expect` an entry id or null (out of scope); `kind` (when given) says what it is. */
const trainingLine = z.object({
  q: z.string(),
  lang: z.string(),
  kind: z.string().optional(),
  expect: z.string().nullable().optional(),
  accept: z.array(z.string()).optional(),
  right: z.enum(RIGHTS).optional(),
  quote: z.string().optional(),
});
export type TrainingLine = z.infer<typeof trainingLine>;

export interface Labelled {
  text: string;
  /** lv, en, or another language's code */
  lang: string;
  label: string;
  weight: number;
  /** The training file a labelled question comes from; none for the knowledge base's own samples. */
  file?: string;
}

export interface TrainingFile {
  file: string;
  text: string;
}

/** The labelled questions' files as text: the hash reads them as they are, training parses them. */
export function readTrainingFiles(dir = TRAINING_DIR): TrainingFile[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .map((file) => ({ file, text: readFileSync(join(dir, file), 'utf8') }));
}

function parseTraining({ file, text }: TrainingFile): TrainingLine[] {
  return text
    .split('\n')
    .filter((line) => line.trim())
    .map((line, i) => {
      const parsed = trainingLine.safeParse(JSON.parse(line));
      if (!parsed.success) throw new KnowledgeError(`${file}:${i + 1}: ${parsed.error.issues[0]?.message}`);
      return parsed.data;
    });
}

/** The classes in a fixed order: entries as the knowledge base lists them, exercised rights, intents, none. */
/** Entry id ↔ the exercise class of its right, both ways. */
export function partnersOf(kb: KnowledgeBase): Map<string, string> {
  const partners = new Map<string, string>();
  for (const entry of kb.entries.values()) {
    if (!entry.right || !kb.exercise.has(entry.right) || partners.has(`${EXERCISE}${entry.right}`)) continue;
    partners.set(entry.id, `${EXERCISE}${entry.right}`);
    partners.set(`${EXERCISE}${entry.right}`, entry.id);
  }
  return partners;
}

export function classesOf(kb: KnowledgeBase): string[] {
  return [...kb.entries.keys(), ...RIGHTS.filter((r) => kb.exercise.has(r)).map((r) => `${EXERCISE}${r}`), ...kb.intents.keys(), NONE];
}

/** The entry a policy quote comes from: the entry whose `source` holds most of it. */
function entryOfQuote(kb: KnowledgeBase, quote: string): string | undefined {
  const q = quote.trim();
  for (const entry of kb.entries.values()) if (entry.source.some((s) => s.includes(q) || q.includes(s))) return entry.id;
  return undefined;
}

/** One labelled question of a training file, or undefined when it cannot be labelled. */
function labelOf(kb: KnowledgeBase, line: TrainingLine): string | undefined {
  if (line.kind === undefined) return line.expect ?? NONE;
  const kind = line.kind.toLowerCase().replace(/[^a-z]/g, '');
  if (kind === 'otherlanguage') return OTHER_LANGUAGE;
  if (kind === 'exercise') return line.right ? `${EXERCISE}${line.right}` : undefined;
  if (kind === 'outofscope') return NONE;
  if ((kb.intents as Map<string, unknown>).has(kind)) return kind;
  if (line.expect !== undefined) return line.expect ?? NONE;
  return line.quote ? entryOfQuote(kb, line.quote) : undefined;
}

export function labelledSamples(kb: KnowledgeBase, files = readTrainingFiles()): Labelled[] {
  const out: Labelled[] = [];
  const add = (texts: string[], lang: string, label: string, weight = 1) => {
    for (const text of texts) out.push({ text, lang, label, weight });
  };
  for (const entry of kb.entries.values()) {
    for (const l of LANGS) {
      add(entry.questions[l], l, entry.id);
      add(entry.keywords[l], l, entry.id, TERM_WEIGHT);
    }
  }
  for (const [right, samples] of kb.exercise) for (const l of LANGS) add(samples[l], l, `${EXERCISE}${right}`, FEW_SAMPLES_WEIGHT);
  for (const [intent, samples] of kb.intents) for (const l of LANGS) add(samples[l], l, intent, FEW_SAMPLES_WEIGHT);
  for (const topic of kb.outOfScope) {
    for (const l of LANGS) {
      add(topic.samples[l], l, NONE);
      add(topic.terms[l], l, NONE, TERM_WEIGHT);
    }
  }
  const classes = new Set(classesOf(kb));
  for (const training of files) {
    const { file } = training;
    for (const line of parseTraining(training)) {
      const label = labelOf(kb, line);
      const served = (LANGS as readonly string[]).includes(line.lang);
      if (label === OTHER_LANGUAGE && !served && kb.otherLanguages.has(line.lang))
        out.push({ text: line.q, lang: line.lang, label, weight: 1, file });
      else if (label !== undefined && classes.has(label) && served) {
        const few = !kb.entries.has(label) && label !== NONE;
        out.push({ text: line.q, lang: line.lang, label, weight: few ? FEW_SAMPLES_WEIGHT : 1, file });
      }
    }
  }
  return out;
}

export function otherLanguageSamples(kb: KnowledgeBase): Labelled[] {
  return [...kb.otherLanguages].flatMap(([code, texts]) => texts.map((text) => ({ text, lang: code, label: code, weight: 1 })));
}

/** The language model's classes: the served languages, then the others as the knowledge base lists them. */
export function langClassesOf(kb: KnowledgeBase): string[] {
  return [...LANGS, ...kb.otherLanguages.keys()];
}

/** What the models were trained from: the knowledge base's samples and the training files as written. */
export function inputHash(kb: KnowledgeBase, files: TrainingFile[]): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ METHOD_VERSION, TRAIN_OPTIONS }));
  // only what training reads: an edited answer or title needs no retraining
  const entries = [...kb.entries.values()].map((e) => [e.id, e.right, e.questions, e.keywords]);
  hash.update(JSON.stringify([entries, [...kb.intents], [...kb.exercise], kb.outOfScope, [...kb.otherLanguages]]));
  for (const { file, text } of files) hash.update(`${file}\n${text}\n`);
  return hash.digest('hex').slice(0, 32);
}

/** Calibration and decision thresholds, fitted by cross-validation (see train.ts). */
export interface Calibration {
  temperature: number;
  /** Below this calibrated probability the top class does not answer. */
  answerAt: number;
  /** The same for a conversation intent (greeting, thanks, a person…). */
  intentAt: number;
  /** A language Thunder does not serve is named when its probability reaches this. */
  otherLangAt: number;
}

/** otherLangAt: the languages we do not serve, together, outweigh Latvian and English (after the prior). */
export const DEFAULT_CALIBRATION: Calibration = { temperature: 1, answerAt: 0.4, intentAt: 0.4, otherLangAt: 0.5 };

export interface Artefact {
  hash: string;
  calibration: Calibration;
  intent: StoredModel;
  lang: StoredModel;
  act: StoredModel;
}

export function trainIntentModel(kb: KnowledgeBase, samples: Labelled[]): LinearModel {
  const classes = classesOf(kb);
  const at = new Map(classes.map((c, i) => [c, i]));
  const rows: Sample[] = samples
    .filter((s) => at.has(s.label))
    .map((s) => ({ features: features(s.text), label: at.get(s.label)!, weight: s.weight }));
  return LinearModel.train(classes, rows);
}

export const ACT_CLASSES = ['ask', 'act'];

/**
 * Asking about something or asking for it to be done: every wish to exercise a right against every
 * question the entries answer, pooled over rights so that the cues ("please", "I want", an
 * imperative, no "can I…?") are learnt once for all of them. Both sides weigh the same in total.
 */
export function trainActModel(samples: Labelled[], isEntry: (label: string) => boolean): LinearModel {
  const act = samples.filter((s) => s.label.startsWith(EXERCISE));
  const ask = samples.filter((s) => isEntry(s.label) && s.weight >= 1);
  const askWeight = act.length / ask.length;
  const rows: Sample[] = [
    ...act.map((s) => ({ features: features(s.text), label: 1, weight: 1 })),
    ...ask.map((s) => ({ features: features(s.text), label: 0, weight: askWeight })),
  ];
  return LinearModel.train(ACT_CLASSES, rows, { ...TRAIN_OPTIONS, epochs: 8 });
}

/** A language with few samples weighs more per sample (by the square root of the imbalance), not fully evened out: lv and en come first. */
export function trainLangModel(kb: KnowledgeBase, samples: Labelled[]): LinearModel {
  const classes = langClassesOf(kb);
  const at = new Map(classes.map((c, i) => [c, i]));
  const served = LANGS as readonly string[];
  const labelled = [...samples.filter((s) => !/\p{Script=Cyrillic}/u.test(s.text)), ...otherLanguageSamples(kb)].filter((s) =>
    at.has(s.lang),
  );
  // a message written the same in ours and another language ("Sveiki" greets in Latvian and Lithuanian) is read as ours
  const key = (s: Labelled) => s.text.trim().toLowerCase();
  const ours = new Set(labelled.filter((s) => served.includes(s.lang)).map(key));
  const all = labelled.filter((s) => served.includes(s.lang) || !ours.has(key(s)));
  const counts = new Map<string, number>();
  for (const s of all) counts.set(s.lang, (counts.get(s.lang) ?? 0) + 1);
  const perClass = all.length / classes.length;
  const rows: Sample[] = all.map((s) => ({
    features: langFeatures(s.text),
    label: at.get(s.lang)!,
    weight: Math.sqrt(perClass / counts.get(s.lang)!),
  }));
  return LinearModel.train(classes, rows, { ...TRAIN_OPTIONS, epochs: 6 });
}
