import { LangIndex } from './index.js';
import { GramIndex } from './ngrams.js';
import { asksCompanyContact, asksDefinition, DEFINITION_CUE, detectExercise, objectsToUse } from './intent.js';
import { detectLang } from './lang.js';
import { LANGS, type ConversationIntent, type Intent, type KnowledgeBase, type KnowledgeEntry, type Lang, type Right } from './schema.js';
import { unprefixLv } from './stem.js';
import { likelyTypo, Speller } from './spell.js';
import { OFF_TOPIC, OFF_TOPIC_QUESTION, STOP_WORDS } from './stopwords.js';
import { normalize, truncate } from './normalize.js';
import { contentWords, isCue } from './terms.js';

export type { Intent } from './schema.js';
export { INTENTS } from './schema.js';

export interface Answer {
  /** What the message is; `policy` and `exercise` carry an entry, every other intent has none. */
  intent: Intent;
  /** The language to answer in: the question's, or the default when it cannot be told. */
  lang: Lang;
  /** The entry that answers the question, or null when the policy does not (or we are not sure enough). */
  entry: KnowledgeEntry | null;
  /** 0..1; 0.5 is the answer threshold (see calibrate). */
  confidence: number;
  /** Up to 3 other entries the user may have meant ("did you mean"). */
  suggestions: KnowledgeEntry[];
  /** The user asks to exercise a right now ("dzēsiet manus datus"), not about it; intent is `exercise`. */
  exercise?: Right;
  /** ISO 639-1 code of a language Thunder does not serve ('ru', 'de'…); intent is `other_language`. */
  otherLang?: string;
}

/*
 * Scoring, per language index, for each entry sharing a term with the question:
 *   coverage = share of the question's idf mass that the entry's sample questions and keywords
 *              (weight 0.6–1, more when several samples use the term) or only its answer
 *              (ANSWER_WEIGHT) contain;
 *   phrase   = weighted Dice overlap with its closest sample question or keyword;
 *   score    = COVERAGE_WEIGHT × coverage + (1 − COVERAGE_WEIGHT) × phrase, in 0..1.
 * Words the index does not know count in the question's mass at UNKNOWN_WEIGHT × max idf, and
 * off-topic words (prices, tariffs, meters…) at OFF_TOPIC_WEIGHT, so a question about something
 * else scores low even when one of its words matches. Typos resolve to a known word within one
 * edit (TYPO_FACTOR), two edits by fuse.js (FUZZY_FACTOR), or a known stem sharing a prefix
 * (PREFIX_FACTOR). The score is then reweighted by character n-grams (ngrams.ts): an entry keeps
 * 1 − GRAM_WEIGHT of it, plus GRAM_WEIGHT × its best n-gram cosine relative to the best entry's,
 * so inflections and typos reorder close entries without lifting an off-topic question over the
 * threshold. A long text is also scored sentence by sentence, each sentence blended with the
 * whole text's score (SENTENCE_WEIGHT), and a long message's scores are lifted by
 * LONG_MESSAGE_LIFT: its context words count against it as unknown words. Constants were tuned on the dev sets in tests/answers/
 * (dev-holdout6 read only as a summary), not on the eval set.
 *
 * A definition question ("ko uzskatāt par…", "what do you mean by…") is scored without its cue
 * words; the entries defining a term it names get NAMED_DEFINITION_BOOST, or when it names none,
 * every definitions entry DEFINITION_BOOST: the term asked about decides. Asking for the company's
 * own contact details and disagreeing with a use of one's data are boosted the same way.
 *
 * Decision: confidence = calibrate(top score). ≥ 0.5: answer with the top entry; below SURE_AT
 * also offer up to 3 runners-up that clear 0.5 themselves. < 0.5: no entry (the fallback), with
 * up to 3 "did you mean" entries above SUGGEST_AT, often none.
 */
const UNKNOWN_WEIGHT = 0.9;
const OFF_TOPIC_WEIGHT = 2;
const TYPO_FACTOR = 0.85;
const FUZZY_FACTOR = 0.6;
const PREFIX_FACTOR = 0.75;
const COVERAGE_WEIGHT = 0.6;
/** A match in the other language's index counts a little less than in the question's own. */
const OTHER_LANG = 0.9;
/** Share of an entry's score that depends on its n-gram similarity relative to the best entry. */
const GRAM_WEIGHT = 0.35;

/** Texts with more content words than this are also scored sentence by sentence. */
const LONG_TEXT = 6;
const MAX_SENTENCES = 12;
/** A question of thousands of words adds nothing after this many content words. */
const MAX_TERMS = 60;
/**
 * A sentence's own score counts this much, the rest is the whole text's score for the same entry;
 * less for a sentence of fewer than FULL_SENTENCE content words ("what protects my data there?").
 */
const SENTENCE_WEIGHT = 0.7;
const FULL_SENTENCE = 4;
/** A message with more content words than this has its scores multiplied by LONG_MESSAGE_LIFT. */
const LONG_MESSAGE = 10;
const LONG_MESSAGE_LIFT = 1.1;

/** Scores of a question on an off-topic errand (how to pay a bill) are multiplied by this. */
const OFF_TOPIC_PENALTY = 0.4;

/** Added to the score of the entry explaining the right a user asks to exercise. */
const EXERCISE_BOOST = 0.25;
/** Added to the right to object when the user disagrees with a use of their data. */
const OBJECTION_BOOST = 0.3;

/** Added to the score of a definitions entry when the user asks what a term means. */
const DEFINITION_BOOST = 0.25;
/** Added instead, and only, to the entries defining a term the question names ("defines" in the knowledge base). */
const NAMED_DEFINITION_BOOST = 0.35;
const DEFINITIONS = 'definitions';
/** Added to the controller's score, and taken from the data categories', when the user asks for the company's own contact details. */
const CONTACT_BOOST = 0.25;
const CONTROLLER = 'controller';
const CATEGORIES = 'categories';

/** Raw score at which an entry is answered; calibrate() maps it to confidence 0.5. */
export const ANSWER_AT = 0.4;
/** Below this confidence an answer also carries runner-up suggestions. */
const SURE_AT = 0.7;
/** Weak matches still offered as "did you mean" when nothing is answered. */
const SUGGEST_AT = 0.3;
const MAX_SUGGESTIONS = 3;

const STOP_SPELLER = new Speller([...STOP_WORDS.lv, ...STOP_WORDS.en]);
const letters = (word: string) => [...word].sort().join('');
const STOP_LIST = [...STOP_WORDS.lv, ...STOP_WORDS.en];
/**
 * Short function words misspelt, too short for the speller: two letters swapped ("fro", "teh")
 * or a letter dropped ("wat", "yor").
 */
const STOP_ANAGRAMS = new Set(STOP_LIST.filter((w) => w.length === 3).map(letters));
const STOP_DROPS = new Set(STOP_LIST.filter((w) => w.length === 4).flatMap((w) => [...w].map((_, i) => w.slice(0, i) + w.slice(i + 1))));

interface Term {
  stem: string | null;
  idf: number;
  factor: number;
}

export class AnswerEngine {
  private readonly indexes: Record<Lang, LangIndex>;
  private readonly grams: Record<Lang, GramIndex>;
  private readonly onlyIn = new Map<string, Lang>();
  /** In index order: entry i of every index and score map. */
  private readonly entries: KnowledgeEntry[];
  private readonly byRight = new Map<Right, number[]>();
  private readonly definitions: number[] = [];
  /** Per language: entry → the stems of each form of the term it defines. */
  private readonly terms: Record<Lang, [number, string[][]][]> = { lv: [], en: [] };
  private readonly said = new Map<string, { intent: ConversationIntent; lang: Lang | null }>();

  constructor(readonly kb: KnowledgeBase) {
    // both indexes read every sample's content words: normalise each sample once
    const seen = new Map<string, string[]>();
    const wordsOf = (text: string) => {
      let words = seen.get(text);
      if (!words) seen.set(text, (words = contentWords(text)));
      return words;
    };
    this.indexes = { lv: new LangIndex(kb, 'lv', wordsOf), en: new LangIndex(kb, 'en', wordsOf) };
    const entries = (this.entries = this.indexes.lv.entries);
    this.grams = { lv: new GramIndex(entries, 'lv', wordsOf), en: new GramIndex(entries, 'en', wordsOf) };
    entries.forEach((entry, i) => {
      if (entry.right) this.byRight.set(entry.right, [...(this.byRight.get(entry.right) ?? []), i]);
      if (entry.section.id === DEFINITIONS) this.definitions.push(i);
      for (const l of LANGS) {
        const forms = entry.defines?.[l].map((term) => contentWords(term).map((word) => this.indexes[l].stem(word)));
        if (forms) this.terms[l].push([i, forms]);
      }
    });
    for (const [intent, samples] of kb.intents) {
      for (const l of LANGS) for (const sample of samples[l]) {
        const key = normalize(sample) || sample.trim();
        // said the same in both languages ("👍", "ok"): the conversation's language stays
        this.said.set(key, { intent, lang: this.said.has(key) && this.said.get(key)!.lang !== l ? null : l });
      }
    }
    for (const lang of LANGS) {
      const other = this.indexes[lang === 'lv' ? 'en' : 'lv'];
      for (const word of this.indexes[lang].words.keys()) if (!other.words.has(word)) this.onlyIn.set(word, lang);
    }
  }

  ask(text: string, defaultLang: Lang): Answer {
    const otherLang = /\p{Script=Cyrillic}{3}/u.test(text) ? (/[іїєґ]/iu.test(text) ? 'uk' : 'ru') : undefined;
    if (otherLang) return { intent: 'other_language', lang: defaultLang, entry: null, confidence: 1, suggestions: [], otherLang };
    const said = this.said.get(normalize(text) || text.trim());
    if (said) return { intent: said.intent, lang: said.lang ?? defaultLang, entry: null, confidence: 1, suggestions: [] };
    const policy = this.policy(text, defaultLang);
    if (policy.exercise && policy.entry) {
      const entry = this.entries[this.byRight.get(policy.exercise)?.[0] ?? -1] ?? policy.entry;
      return { ...policy, intent: 'exercise', entry, confidence: Math.max(policy.confidence, 0.5) };
    }
    return { ...policy, intent: policy.entry ? 'policy' : 'none' };
  }

  private policy(text: string, defaultLang: Lang): Omit<Answer, 'intent'> {
    const lang = detectLang(text, defaultLang, (word) => this.onlyIn.get(word));
    const norm = normalize(truncate(text));
    const exercise = detectExercise(text, norm) ?? undefined;
    const penalty = OFF_TOPIC_QUESTION.test(norm) ? OFF_TOPIC_PENALTY : 1;
    const definition = asksDefinition(text, norm);
    const scores = new Map<number, number>();
    // the sentences of a long text repeat its words: resolve each word once per language
    const resolved = { lv: new Map<string, Term>(), en: new Map<string, Term>() };
    let whole: Map<number, number> | undefined;
    const textParts = parts(text, definition);
    for (const words of textParts) {
      const part = new Map<number, number>();
      for (const l of LANGS) {
        const weight = l === lang ? 1 : OTHER_LANG;
        const terms = this.score(this.indexes[l], words, resolved[l]);
        const grams = this.grams[l].score(words);
        let gramTop = 0;
        for (const g of grams.values()) gramTop = Math.max(gramTop, g);
        for (const [entry, termScore] of terms) {
          const score = termScore * (1 - GRAM_WEIGHT + (GRAM_WEIGHT * (grams.get(entry) ?? 0)) / (gramTop || 1));
          part.set(entry, Math.max(part.get(entry) ?? 0, score * weight));
        }
      }
      // a sentence is read in the context of its message: "Do you keep those on file?" alone says little
      for (const [entry, score] of part) {
        const own = SENTENCE_WEIGHT * Math.min(1, words.length / FULL_SENTENCE);
        const inContext = whole ? own * score + (1 - own) * (whole.get(entry) ?? 0) : score;
        scores.set(entry, Math.max(scores.get(entry) ?? 0, inContext));
      }
      whole ??= part;
    }
    // asking to exercise a right: the entry explaining that right answers it
    if (exercise) boost(scores, this.byRight.get(exercise) ?? [], EXERCISE_BOOST, true);
    // disagreeing with a use of one's data: the right to object, not the policy's acceptance
    else if (objectsToUse(text, norm)) boost(scores, this.byRight.get('objection') ?? [], OBJECTION_BOOST);
    // asking what a term means: among close entries, the definition of that term
    if (definition) {
      const named = this.definesNamed(resolved);
      if (named.length > 0) boost(scores, named, NAMED_DEFINITION_BOOST);
      else boost(scores, this.definitions, DEFINITION_BOOST);
    }
    // asking for the company's phone or address: the controller section, not the data kept about you
    if (asksCompanyContact(text, norm)) {
      const bySection = (id: string) => [...scores.keys()].filter((i) => this.entries[i]!.section.id === id);
      boost(scores, bySection(CONTROLLER), CONTACT_BOOST);
      boost(scores, bySection(CATEGORIES), -CONTACT_BOOST);
    }
    // a long message dilutes its question among context words: its scores are lifted a little;
    // an errand's are scaled down, boosts included
    const lift = textParts[0]!.length > LONG_MESSAGE ? LONG_MESSAGE_LIFT : 1;
    for (const [i, score] of scores) scores.set(i, Math.min(1, score * lift) * penalty);
    const ranked = [...scores].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    const { entries } = this;
    const top = ranked[0];
    const confidence = top ? calibrate(top[1]) : 0;
    const answered = top !== undefined && confidence >= 0.5;
    const suggestions = ranked
      .slice(answered ? 1 : 0)
      .filter(([, score]) => calibrate(score) >= (answered ? 0.5 : SUGGEST_AT))
      .slice(0, answered && confidence >= SURE_AT ? 0 : MAX_SUGGESTIONS)
      .map(([i]) => entries[i]!);
    const entry = answered ? entries[top[0]]! : null;
    return { lang, entry, confidence, suggestions, ...(exercise ? { exercise } : {}) };
  }

  /** Entries defining a term the question names (all stems of one of its forms), in either language. */
  private definesNamed(resolved: Record<Lang, Map<string, Term>>): number[] {
    const named = new Set<number>();
    for (const l of LANGS) {
      const stems = new Set([...resolved[l].values()].map((term) => term.stem));
      for (const [i, forms] of this.terms[l]) if (forms.some((form) => form.every((s) => stems.has(s)))) named.add(i);
    }
    return [...named];
  }

  /** The word as a known stem: as it is, one edit off, without a verb prefix, by prefix, two edits off. */
  private resolve(index: LangIndex, word: string): Term {
    if (OFF_TOPIC.test(word)) return { stem: null, idf: index.maxIdf * OFF_TOPIC_WEIGHT, factor: 0 };
    const exact = this.known(index, word, 1);
    if (exact) return exact;
    if (isCue(word)) return { stem: null, idf: 0, factor: 0 };
    const fixes = index.speller.candidates(word);
    const near = fixes.reduce<string | undefined>((a, b) => (a && index.words.get(a)! >= index.words.get(b)! ? a : b), undefined);
    const nearTerm = near === undefined ? undefined : this.known(index, near, TYPO_FACTOR);
    if (nearTerm) return nearTerm;
    const bare = index.lang === 'lv' ? unprefixLv(word) : undefined;
    const bareTerm = bare === undefined ? undefined : this.known(index, bare, PREFIX_FACTOR);
    if (bareTerm) return bareTerm;
    const prefix = index.prefixMatch(index.stem(word));
    if (prefix) return { stem: prefix, idf: index.idf.get(prefix)!, factor: PREFIX_FACTOR };
    const far = index.speller.closest(word);
    const farTerm = far === undefined ? undefined : this.known(index, far, FUZZY_FACTOR);
    if (farTerm) return farTerm;
    // a misspelt function word ("manem", "yuor") says nothing about the topic
    if (STOP_SPELLER.candidates(word).some((stop) => likelyTypo(word, stop)) || STOP_ANAGRAMS.has(letters(word)) || STOP_DROPS.has(word)) {
      return { stem: null, idf: 0, factor: 0 };
    }
    return { stem: null, idf: index.maxIdf * UNKNOWN_WEIGHT, factor: 0 };
  }

  private known(index: LangIndex, word: string, factor: number): Term | undefined {
    const stem = index.stem(word);
    const idf = index.idf.get(stem);
    return idf === undefined ? undefined : { stem, idf, factor };
  }

  private score(index: LangIndex, words: string[], resolved: Map<string, Term>): Map<number, number> {
    const terms = new Map<string, Term>();
    let mass = 0;
    let unknown = 0;
    for (const word of new Set(words)) {
      let term = resolved.get(word);
      if (!term) resolved.set(word, (term = this.resolve(index, word)));
      if (!term.stem) {
        unknown += term.idf;
        continue;
      }
      const seen = terms.get(term.stem);
      if (!seen || seen.factor < term.factor) terms.set(term.stem, term);
    }
    for (const term of terms.values()) mass += term.idf;
    mass += unknown;
    const result = new Map<number, number>();
    if (mass === 0) return result;

    const coverage = new Map<number, number>();
    const overlap = new Map<number, number>();
    for (const term of terms.values()) {
      for (const [entry, weight] of index.postings.get(term.stem!)!) {
        coverage.set(entry, (coverage.get(entry) ?? 0) + term.idf * term.factor * weight);
      }
      for (const phrase of index.phrasesByStem.get(term.stem!) ?? []) {
        overlap.set(phrase, (overlap.get(phrase) ?? 0) + term.idf * term.factor);
      }
    }
    // the closest sample question per entry (adding the second closest did worse on the dev sets)
    const best = new Map<number, number>();
    for (const [id, shared] of overlap) {
      const phrase = index.phrases[id]!;
      const dice = (2 * shared) / (mass + phrase.mass);
      if (dice > (best.get(phrase.entry) ?? 0)) best.set(phrase.entry, dice);
    }
    for (const [entry, covered] of coverage) {
      result.set(entry, COVERAGE_WEIGHT * (covered / mass) + (1 - COVERAGE_WEIGHT) * (best.get(entry) ?? 0));
    }
    return result;
  }
}

/** Adds `amount` to the entries' scores (kept in 0..1); only to entries already scored unless `add`. */
function boost(scores: Map<number, number>, entries: Iterable<number>, amount: number, add = false): void {
  for (const i of entries) {
    const score = scores.get(i);
    if (score !== undefined || add) scores.set(i, Math.min(1, Math.max(0, (score ?? 0) + amount)));
  }
}

/**
 * What to score: the content words of the whole text, and for a long text of each of its
 * sentences too, so the one question inside a paragraph of context is found. A definition
 * question is scored without its cue words: the term asked about decides.
 */
function parts(input: string, definition: boolean): string[][] {
  const text = truncate(input);
  const cut = (words: string[]) => (definition ? words.filter((word) => !DEFINITION_CUE.test(word)) : words);
  const whole = contentWords(text, MAX_TERMS);
  if (whole.length <= LONG_TEXT) return [cut(whole)];
  const sentences = (text.match(/[^.!?\n]+[.!?\n]*/g) ?? []).slice(0, MAX_SENTENCES);
  const words = sentences.map((sentence) => contentWords(sentence, MAX_TERMS)).filter((w) => w.length >= 2);
  return [whole, ...words].map(cut);
}

/** Maps a raw score to 0..1 so that ANSWER_AT becomes 0.5; monotonic, so ranking is kept. */
export function calibrate(score: number): number {
  const c = score < ANSWER_AT ? (score / ANSWER_AT) * 0.5 : 0.5 + ((score - ANSWER_AT) / (1 - ANSWER_AT)) * 0.5;
  return Math.round(Math.min(1, Math.max(0, c)) * 1000) / 1000;
}
