import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { decide, isExercise } from './decide.js';
import { features, langFeatures, tokens, type Features } from './features.js';
import { LinearModel, softmax } from './model.js';
import { truncate } from './normalize.js';
import { Speller } from './spell.js';
import { LANGS, type Intent, type KnowledgeBase, type KnowledgeEntry, type Lang, type Right } from './schema.js';
import {
  DEFAULT_CALIBRATION,
  EXERCISE,
  inputHash,
  labelledSamples,
  MODEL_FILE,
  NONE,
  partnersOf,
  readTrainingFiles,
  trainIntentModel,
  trainActModel,
  trainLangModel,
  type Artefact,
  type Calibration,
  type TrainingFile,
} from './training.js';

export type { Intent } from './schema.js';
export { INTENTS } from './schema.js';

export interface Answer {
  /** What the message is; `policy` and `exercise` carry an entry, every other intent has none. */
  intent: Intent;
  /** The language to answer in: the question's, or the default when it cannot be told. */
  lang: Lang;
  /** The entry that answers the question, or null when the policy does not (or we are not sure enough). */
  entry: KnowledgeEntry | null;
  /** 0..1, the calibrated probability of what was decided (cross-validated: see train.ts). */
  confidence: number;
  /** Up to 3 other entries the user may have meant ("did you mean"). */
  suggestions: KnowledgeEntry[];
  /** The user asks to exercise a right now ("dzēsiet manus datus"), not about it; intent is `exercise`. */
  exercise?: Right;
  /** ISO 639-1 code of a language Thunder does not serve ('ru', 'de'…); intent is `other_language`. */
  otherLang?: string;
}

/** Why an answer was given: `thunder ask --explain`. */
export interface Explanation {
  answer: Answer;
  /** The words as read (folded). */
  terms: string[];
  /** The five likeliest classes with their calibrated probabilities. */
  candidates: { label: string; p: number }[];
  /** The language model's five likeliest languages. */
  languages: { lang: string; p: number }[];
  /** The features that weighed most for the top class. */
  evidence: [string, number][];
}

/** Runners-up offered beside an answer given below this confidence; below it an answer is not "sure" (staff review sees it). */
export const SURE_AT = 0.7;
/** A runner-up is offered when its probability reaches this. */
const SUGGEST_AT = 0.1;
const MAX_SUGGESTIONS = 3;
/** Other languages' probabilities are weighed by this against Latvian and English before deciding. */
const OTHER_PRIOR = 0.25;
/** Lv or en is told only when it has this share of their joint probability; else the default. */
const LANG_SHARE = 0.7;
/** …and a single word ("ok" is typed in both) only when it has this share. */
const WORD_LANG_SHARE = 0.9;
/** A single word is named another language only at this joint share of the others ("ne" is Latvian, Russian and Polish). */
const WORD_OTHER_AT = 0.7;
/** The act model's probability of a request at which a right's entry becomes a wish to exercise it. */
const ACT_AT = 0.5;
/** …and at which a question another entry answers becomes a wish to exercise the likeliest right. */
const ACT_OTHER_AT = 0.8;
/** Shorter unknown words are not corrected: too many known words are one edit away. */
const MIN_TYPO = 4;

const storedModel = z.object({
  classes: z.array(z.string()),
  features: z.array(z.string()),
  bias: z.array(z.number()),
  scales: z.array(z.number()),
  weights: z.string(),
});
const artefactSchema = z.object({
  hash: z.string(),
  calibration: z.object({ temperature: z.number().positive(), answerAt: z.number(), intentAt: z.number(), otherLangAt: z.number() }),
  intent: storedModel,
  lang: storedModel,
  act: storedModel,
});

/** The prebuilt models (npm run train), or null when there are none. */
export function readArtefact(file = MODEL_FILE): Artefact | null {
  if (!existsSync(file)) return null;
  return artefactSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}

export interface EngineOptions {
  /** Prebuilt models; used when their hash matches the knowledge base and training files, else the engine trains. */
  artefact?: Artefact | null;
  training?: TrainingFile[];
}

export class AnswerEngine {
  private readonly intentModel: LinearModel;
  private readonly langModel: LinearModel;
  /** Asking about something or asking for it to be done. */
  private readonly actModel: LinearModel;
  private readonly calibration: Calibration;
  private readonly byRight = new Map<Right, KnowledgeEntry>();
  private readonly partners: Map<string, string>;
  private readonly intents: ReadonlySet<string>;
  /** Built on the first unknown word: most start-ups answer a few questions first. */
  private speller?: Speller;
  /** Whether the prebuilt models were used (false: trained at start-up). */
  readonly prebuilt: boolean;

  constructor(
    readonly kb: KnowledgeBase,
    options: EngineOptions = {},
  ) {
    const artefact = options.artefact === undefined ? readArtefact() : options.artefact;
    const files = options.training ?? readTrainingFiles();
    this.prebuilt = artefact?.hash === inputHash(kb, files);
    if (artefact && this.prebuilt) {
      this.intentModel = LinearModel.load(artefact.intent);
      this.langModel = LinearModel.load(artefact.lang);
      this.actModel = LinearModel.load(artefact.act);
    } else {
      const samples = labelledSamples(kb, files);
      this.intentModel = trainIntentModel(kb, samples);
      this.langModel = trainLangModel(kb, samples);
      this.actModel = trainActModel(samples, (label) => kb.entries.has(label));
    }
    this.calibration = artefact?.calibration ?? DEFAULT_CALIBRATION;
    this.partners = partnersOf(kb);
    this.intents = new Set(kb.intents.keys());

    for (const entry of kb.entries.values()) if (entry.right && !this.byRight.has(entry.right)) this.byRight.set(entry.right, entry);
  }

  ask(text: string, defaultLang: Lang): Answer {
    return this.explain(text, defaultLang, false).answer;
  }

  /** Latvian or English as the text reads; `fallback` when it is too short or mixed to tell. */
  language(text: string, fallback: Lang): Lang {
    return this.languages(text).lang ?? fallback;
  }

  /** `evidence`: also list the features that weighed most (for --explain; the hot path skips it). */
  explain(input: string, defaultLang: Lang, evidence = true): Explanation {
    const text = truncate(input);
    const terms = tokens(text);
    const { lang: told, other, ranked: languages } = this.languages(text);
    const lang = told ?? defaultLang;
    const empty = { terms, candidates: [], languages, evidence: [] };
    if (other)
      return {
        ...empty,
        answer: { intent: 'other_language', lang, entry: null, confidence: other.p, suggestions: [], otherLang: other.lang },
      };
    const feats = features(text, this.corrections(terms));
    // no word, and no emoji the model has seen ("🔥🔥🔥", "12345"): nothing to go on
    const letters = /\p{L}/u.test(text);
    const known = [...feats.keys()].some((key) => (letters || key.startsWith('p|')) && !/^[nq]\|/.test(key) && this.intentModel.has(key));
    if (!known) return { ...empty, answer: { intent: 'none', lang, entry: null, confidence: 0, suggestions: [] } };
    const logits = this.intentModel.logits(feats);
    const decision = decide(logits, this.intentModel.classes, this.calibration, this.partners, this.intents);
    const { label, confidence, ranked } = decision;
    const entries = ranked.filter((r) => this.kb.entries.has(r.label));
    const suggest = (skip?: string) =>
      entries
        .filter((r) => r.label !== skip && r.p >= SUGGEST_AT)
        .slice(0, MAX_SUGGESTIONS)
        .map((r) => this.kb.entries.get(r.label)!);
    let answer: Answer;
    const entry = this.kb.entries.get(label);
    const wish = this.wish(label, feats, ranked);
    if (wish) {
      answer = { intent: 'exercise', lang, entry: this.byRight.get(wish) ?? null, confidence, suggestions: [], exercise: wish };
    } else if (entry) {
      answer = { intent: 'policy', lang, entry, confidence, suggestions: confidence < SURE_AT ? suggest(entry.id) : [] };
    } else if (label === NONE) {
      answer = { intent: 'none', lang, entry: null, confidence, suggestions: suggest() };
    } else {
      answer = { intent: label as Intent, lang, entry: null, confidence, suggestions: [] };
    }
    const top = this.intentModel.classes.indexOf(ranked[0]!.label);
    return {
      answer,
      terms,
      candidates: ranked.slice(0, 5),
      languages,
      evidence: evidence ? this.intentModel.contributions(feats, top).slice(0, 12) : [],
    };
  }

  /**
   * The right a message asks to exercise now: when the act model reads a request, the right of the
   * entry or exercise class that answers, else of the likeliest exercise class. Conversation and
   * out-of-scope messages are not wishes.
   */
  private wish(label: string, feats: Features, ranked: { label: string; p: number }[]): Right | undefined {
    if (isExercise(label)) return label.slice(EXERCISE.length) as Right;
    if (!this.kb.entries.has(label)) return undefined;
    const act = softmax(this.actModel.logits(feats))[1]!;
    if (act < ACT_AT) return undefined;
    const right = this.kb.entries.get(label)!.right;
    if (right && this.kb.exercise.has(right)) return right;
    const best = ranked.find((r) => isExercise(r.label));
    return best && act >= ACT_OTHER_AT ? (best.label.slice(EXERCISE.length) as Right) : undefined;
  }

  /** Words the models never saw, read as the known word one or two edits away ("lnog" → "long"). */
  private corrections(terms: string[]): string[] {
    const out: string[] = [];
    for (const term of terms) {
      if (term.length < MIN_TYPO || this.intentModel.has(`w|${term}`)) continue;
      this.speller ??= new Speller(this.intentModel.words());
      const fix = this.speller.candidates(term)[0] ?? this.speller.closest(term);
      if (fix) out.push(fix);
    }
    return out;
  }

  private languages(text: string): { lang?: Lang; other?: { lang: string; p: number }; ranked: { lang: string; p: number }[] } {
    const p = softmax(this.langModel.logits(langFeatures(text)));
    // most customers write Latvian or English: a word shared with another language ("sveiki") stays ours
    const served = LANGS as readonly string[];
    let sum = 0;
    this.langModel.classes.forEach((lang, i) => {
      if (!served.includes(lang)) p[i]! *= OTHER_PRIOR;
      sum += p[i]!;
    });
    for (let i = 0; i < p.length; i++) p[i]! /= sum;
    const ranked = this.langModel.classes.map((lang, i) => ({ lang, p: p[i]! })).sort((a, b) => b.p - a.p);
    if (!/\p{L}/u.test(text)) return { ranked };
    const top = ranked[0]!;
    const word = (text.match(/\p{L}+/gu) ?? []).length <= 1;
    // close languages split their share ("мой телефон" is Russian and Ukrainian): what counts is that it is none of ours
    const others = ranked.reduce((sum, r) => (served.includes(r.lang) ? sum : sum + r.p), 0);
    const otherAt = word ? Math.max(this.calibration.otherLangAt, WORD_OTHER_AT) : this.calibration.otherLangAt;
    if (!served.includes(top.lang) && others >= otherAt) return { other: { lang: top.lang, p: others }, ranked };
    const lv = p[this.langModel.classes.indexOf('lv')]!;
    const en = p[this.langModel.classes.indexOf('en')]!;
    const share = word ? WORD_LANG_SHARE : LANG_SHARE;
    if (lv / (lv + en) >= share) return { lang: 'lv', ranked };
    if (en / (lv + en) >= share) return { lang: 'en', ranked };
    return { ranked };
  }
}
