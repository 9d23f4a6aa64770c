import { ErrorCode, ThunderError } from '../core/errors.js';
import { z } from 'zod';
import { cachedAsk } from '../answers/cache.js';
import type { Answer, AnswerEngine } from '../answers/engine.js';
import { LANGS, type Lang } from '../domain.js';
import type { Space } from '../state/port.js';
import { comparable, similarity, type Vector, vector, wordCounts, wordSimilarity } from './similar.js';

/*
 * The knowledge overlay: questions staff accepted in review, kept in the state store beside the
 * files in knowledge/ until they are exported and merged (`thunder kb export`). Every instance
 * answers from the same version of it. The trained model is left as it is; the overlay is a layer
 * of exemplars over it: a question alike enough to one of them (the engine's own features, cosine
 * ≥ MATCH_AT) gets that exemplar's entry, or no answer for "not in the policy". That is instant and
 * deterministic, where retraining takes ~20 s per instance.
 */

/** How alike a question must be to an accepted one to take its answer: the same question reworded slightly. */
export const MATCH_AT = 0.85;
/**
 * Cosine is the mean-like sum of four unit groups (words, stems, bigrams, n-grams): reaching MATCH_AT
 * needs the word group alone at 4·MATCH_AT − 3 or more.
 */
export const WORD_CUT = 4 * MATCH_AT - 3;

const changeSchema = z.object({
  /** The overlay version this change made. */
  seq: z.number().int().positive(),
  /** `add`: the texts are questions of `entryId`; `none`: the policy does not answer them. */
  kind: z.enum(['add', 'none']),
  entryId: z.string().optional(),
  /** Redacted texts of the reviewed gaps. */
  texts: z.array(z.object({ text: z.string(), lang: z.enum(LANGS) })).min(1),
  cluster: z.string(),
  /** The reviewer's Slack user id. */
  by: z.string(),
  at: z.number(),
});
export type Change = z.infer<typeof changeSchema>;

const overlaySchema = z.object({ version: z.number().int().nonnegative(), changes: z.array(changeSchema) });
export type OverlayDoc = z.infer<typeof overlaySchema>;

export const EMPTY: OverlayDoc = { version: 0, changes: [] };

export type Engine = Pick<AnswerEngine, 'ask' | 'language' | 'kb'>;

interface Exemplar {
  vector: Vector;
  /** The entry id, or null: not in the policy. */
  target: string | null;
  seq: number;
}

/** One version of the overlay over the engine: immutable, with its own answer cache. */
export class Snapshot {
  private readonly exemplars: Exemplar[];
  /** Cached per version: a swap replaces the cache with the snapshot, so no answer outlives its version. */
  readonly ask: (text: string, lang: Lang) => Answer;

  constructor(
    readonly doc: OverlayDoc,
    private readonly engine: Engine,
  ) {
    this.exemplars = doc.changes.flatMap((c) => {
      const target = c.kind === 'add' ? (c.entryId ?? '') : null;
      // an entry since removed from knowledge/ answers nothing: its exemplars are skipped
      if (target !== null && !engine.kb.entries.has(target)) return [];
      return c.texts.map((t) => ({ vector: vector(t.text), target, seq: c.seq }));
    });
    this.ask = cachedAsk({ ask: (text, lang) => this.answer(text, lang) });
  }

  get version(): number {
    return this.doc.version;
  }

  /**
   * The accepted question most alike `text`, when one is alike enough; the later change wins a tie.
   * The word group alone bounds the cosine (see gate.ts), so most questions are let go before their
   * features are computed.
   */
  match(text: string): { target: string | null; score: number } | undefined {
    if (!this.exemplars.length) return undefined;
    const clean = comparable(text);
    const words = wordCounts(clean);
    const near = this.exemplars.filter((e) => wordSimilarity(words, e.vector.words) >= WORD_CUT);
    if (!near.length) return undefined;
    const v = vector(text, clean);
    let best: { target: string | null; score: number; seq: number } | undefined;
    for (const e of near) {
      const score = similarity(v, e.vector);
      if (score >= MATCH_AT && (!best || score > best.score || (score === best.score && e.seq > best.seq)))
        best = { target: e.target, score, seq: e.seq };
    }
    return best && { target: best.target, score: best.score };
  }

  private answer(text: string, lang: Lang): Answer {
    const m = this.match(text);
    if (!m) return this.engine.ask(text, lang);
    const answerLang = this.engine.language(text, lang);
    const entry = m.target === null ? null : (this.engine.kb.entries.get(m.target) ?? null);
    return entry
      ? { intent: 'policy', lang: answerLang, entry, confidence: m.score, suggestions: [] }
      : { intent: 'none', lang: answerLang, entry: null, confidence: m.score, suggestions: [] };
  }

  with(change: Omit<Change, 'seq'>): Snapshot {
    const seq = this.doc.version + 1;
    return new Snapshot({ version: seq, changes: [...this.doc.changes, { ...change, seq }] }, this.engine);
  }

  /** The last change taken back, as a new version (versions only grow, so every instance sees the step). */
  withoutLast(): Snapshot {
    return new Snapshot({ version: this.doc.version + 1, changes: this.doc.changes.slice(0, -1) }, this.engine);
  }
}

/** The store namespace of the overlay (and of its lock). */
export const OVERLAY_SPACE = 'knowledge-overlay';

export async function readOverlay(space: Space<unknown>): Promise<OverlayDoc> {
  const raw = await space.get('doc');
  if (raw === undefined) return EMPTY;
  const doc = overlaySchema.safeParse(raw);
  if (!doc.success) throw new ThunderError(ErrorCode.KnowledgeInvalid, 'the stored knowledge overlay cannot be read', { cause: doc.error });
  return doc.data;
}

/** The overlay lives this long after its last change: export and merge it into knowledge/ before. */
const OVERLAY_TTL_MS = 365 * 24 * 60 * 60 * 1000;

/**
 * The live overlay of one instance: `ask` reads the current snapshot once per question, so a
 * question in flight is answered wholly by the old version or wholly by the new one; `refresh`
 * swaps in a newer version from the store.
 */
export class Overlay {
  private current: Snapshot;

  constructor(
    private readonly space: Space<unknown>,
    private readonly engine: Engine,
  ) {
    this.current = new Snapshot(EMPTY, engine);
  }

  get snapshot(): Snapshot {
    return this.current;
  }

  readonly ask = (text: string, lang: Lang): Answer => this.current.ask(text, lang);

  /** The stored version, then the document when it is newer than ours: one small read per poll. */
  async refresh(): Promise<boolean> {
    const stored = z
      .number()
      .int()
      .catch(0)
      .parse((await this.space.get('version')) ?? 0);
    if (stored <= this.current.version) return false;
    return this.adopt(await this.read());
  }

  read(): Promise<OverlayDoc> {
    return readOverlay(this.space);
  }

  /** Builds the snapshot of `doc` (the slow part, ~1 ms an exemplar) and swaps it in when it is newer. */
  adopt(doc: OverlayDoc): boolean {
    if (doc.version <= this.current.version) return false;
    return this.swap(new Snapshot(doc, this.engine));
  }

  swap(next: Snapshot): boolean {
    if (next.version <= this.current.version) return false;
    this.current = next;
    return true;
  }

  /** Writes a version (document and version key together); the caller holds the overlay lock. */
  async write(next: Snapshot): Promise<void> {
    await this.space.batch([
      { op: 'set', key: 'doc', value: next.doc, ttlMs: OVERLAY_TTL_MS },
      { op: 'set', key: 'version', value: next.version, ttlMs: OVERLAY_TTL_MS },
    ]);
  }
}
