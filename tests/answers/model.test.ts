import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AnswerEngine, readArtefact, type Answer } from '../../src/answers/engine.js';
import { loadKnowledge } from '../../src/answers/knowledge.js';
import {
  EXERCISE,
  inputHash,
  labelledSamples,
  NONE,
  readTrainingFiles,
  trainIntentModel,
  trainLangModel,
} from '../../src/answers/training.js';
import { KNOWLEDGE_DIR } from '../../src/paths.js';

const kb = loadKnowledge();
const files = readTrainingFiles();
const engine = new AnswerEngine(kb);

/** What an answer says, in the labels training uses. */
function labelOf(a: Answer): string {
  if (a.intent === 'policy') return a.entry!.id;
  if (a.intent === 'exercise') return `${EXERCISE}${a.exercise}`;
  return a.intent;
}

/**
 * Knowledge-base samples that do not return their own class, each for a documented reason:
 * a fragment the model reads as its neighbour's, equally at home there.
 */
const EXCEPTIONS = new Set<string>([
  // legitimate interests name fraud prevention; the authorities' purposes name preventing illegal activity: a near tie, in both languages
  'fraud prevention',
  'krāpšanas novēršana',
]);

describe('the prebuilt models (knowledge/model/answers.json)', () => {
  const artefact = readArtefact()!;

  it('were trained from the knowledge base and training files as they are now (npm run train)', () => {
    expect(artefact.hash).toBe(inputHash(kb, files));
  });

  it('are what a deterministic retrain gives', { timeout: 300_000 }, () => {
    const samples = labelledSamples(kb, files);
    expect(trainIntentModel(kb, samples).store()).toEqual(artefact.intent);
    expect(trainLangModel(kb, samples).store()).toEqual(artefact.lang);
  });
});

describe('self-consistency', () => {
  it('answers every sample message of the knowledge base with its own entry or intent', () => {
    const misses = labelledSamples(kb, [])
      .filter((s) => s.weight >= 1)
      .map((s) => {
        const a = engine.ask(s.text, s.lang as 'lv' | 'en');
        // a right's sample question worded as a wish ("i want to fix my address") gets its entry as a wish to exercise it
        const got = a.intent === 'exercise' && a.entry?.id === s.label ? s.label : labelOf(a);
        return { q: s.text, want: s.label, got };
      })
      .filter(({ q, want, got }) => got !== want && !(want === NONE && got === 'other_language') && !EXCEPTIONS.has(q));
    expect(misses).toEqual([]);
  });
});

describe('a new entry is a YAML edit', () => {
  const dir = mkdtempSync(join(tmpdir(), 'thunder-kb-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is answered on its own questions after the engine retrains', { timeout: 300_000 }, () => {
    cpSync(KNOWLEDGE_DIR, dir, { recursive: true });
    cpSync(join(import.meta.dirname, 'fixtures', 'extra-entry.yaml'), join(dir, '99-extra.yaml'));
    const extended = loadKnowledge(dir);
    const fresh = new AnswerEngine(extended, { training: files });
    expect(fresh.prebuilt).toBe(false);
    const entry = extended.entries.get('automated-decisions')!;
    for (const lang of ['lv', 'en'] as const) {
      for (const q of entry.questions[lang]) expect(fresh.ask(q, lang).entry?.id, q).toBe('automated-decisions');
    }
    expect(fresh.ask('kā iesniegt sūdzību datu valsts inspekcijā', 'lv').entry?.id).toBe('complaint-dvi');
  });
});
