import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnswerEngine } from '../../src/answers/engine.js';
import { loadKnowledge } from '../../src/answers/knowledge.js';
import { labelledSamples } from '../../src/answers/training.js';
import { overlayYaml } from '../../src/learning/export.js';
import { Gate, labelOf } from '../../src/learning/gate.js';
import { type Change, EMPTY, OVERLAY_SPACE, Overlay, Snapshot } from '../../src/learning/overlay.js';
import { Store } from '../../src/state/store.js';

const engine = new AnswerEngine(loadKnowledge());
const QUESTION = 'Vai mani dati tiek izmantoti mākslīgā intelekta apmācībai? [email]';
const change = (over: Partial<Omit<Change, 'seq'>> = {}): Omit<Change, 'seq'> => ({
  kind: 'add',
  entryId: 'purposes-overview',
  texts: [{ text: QUESTION, lang: 'lv' }],
  cluster: 'c1',
  by: 'U0REVIEWER',
  at: 0,
  ...over,
});

describe('the exemplar layer over the engine', () => {
  const base = new Snapshot(EMPTY, engine);
  const added = base.with(change());

  it('answers an accepted question, and the same reworded slightly or with other personal data, from its entry', () => {
    expect(engine.ask('Vai mani dati tiek izmantoti mākslīgā intelekta apmācībai?', 'lv').entry).toBeNull();
    for (const q of [
      'Vai mani dati tiek izmantoti mākslīgā intelekta apmācībai?',
      'vai mani dati tiek izmantoti maksliga intelekta apmacibai',
      'Vai mani dati tiek izmantoti mākslīgā intelekta apmācībai? raksti uz jānis@pasts.lv',
    ])
      expect(added.ask(q, 'lv').entry?.id, q).toBe('purposes-overview');
  });

  it('leaves every other question to the engine', () => {
    for (const q of ['Kā iesniegt sūdzību?', 'Vai jūs nododat datus policijai?', 'Vai mani dati tiek glabāti mākonī?'])
      expect(added.ask(q, 'lv')).toEqual(engine.ask(q, 'lv'));
  });

  it('"not in the policy" makes a question the engine answered go unanswered', () => {
    const q = 'Vai jūs ierakstāt telefona sarunas ar klientiem?';
    const none = base.with(change({ kind: 'none', entryId: undefined, texts: [{ text: q, lang: 'lv' }] }));
    expect(none.ask(q, 'lv')).toMatchObject({ intent: 'none', entry: null });
  });

  it('undo is a new version without the last change', () => {
    const undone = added.withoutLast();
    expect(undone.version).toBe(2);
    expect(undone.ask('Vai mani dati tiek izmantoti mākslīgā intelekta apmācībai?', 'lv').entry).toBeNull();
  });
});

describe('the eval gate', () => {
  const gate = new Gate(() => labelledSamples(engine.kb));
  const base = new Snapshot(EMPTY, engine);

  it("refuses a change that turns an entry's sample question away from its entry, naming it", () => {
    const sample = engine.kb.entries.get('retention')!.questions.lv[0]!;
    const harmful = base.with(change({ kind: 'none', entryId: undefined, texts: [{ text: sample, lang: 'lv' }] }));
    const { conflicts } = gate.check(base, harmful, [sample]);
    expect(conflicts).toContainEqual({ text: sample, lang: 'lv', label: 'retention', was: 'retention', would: 'none' });
  });

  it('refuses a change that turns labelled training questions to the wrong entry', () => {
    const sample = engine.kb.entries.get('retention')!.questions.lv[0]!;
    const wrong = base.with(change({ entryId: 'complaint-dvi', texts: [{ text: sample, lang: 'lv' }] }));
    expect(gate.check(base, wrong, [sample]).conflicts.length).toBeGreaterThan(0);
  });

  it('lets a question no labelled question is near go through', () => {
    const { conflicts, samples } = gate.check(base, base.with(change()), [QUESTION]);
    expect(conflicts).toEqual([]);
    expect(samples).toBeGreaterThan(5000);
  });

  it('labels answers as the training files do', () => {
    expect(labelOf(engine.ask('Cik ilgi glabājat manus datus?', 'lv'))).toBe('retention');
    expect(labelOf(engine.ask('dzēsiet manus datus', 'lv'))).toBe('exercise:erasure');
  });
});

describe('the live overlay on two instances of one SQLite file', () => {
  let dir: string;
  let one: Store;
  let two: Store;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'thunder-overlay-'));
    one = new Store({ dataDir: dir, prefix: 'ov' });
    two = new Store({ dataDir: dir, prefix: 'ov' });
  });
  afterAll(async () => {
    await one.close();
    await two.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a version written by one is swapped in by the other on refresh; its answer cache goes with it', async () => {
    const a = new Overlay(one.kv(OVERLAY_SPACE), engine);
    const b = new Overlay(two.kv(OVERLAY_SPACE), engine);
    const q = 'Vai mani dati tiek izmantoti mākslīgā intelekta apmācībai?';
    // B caches its answer under version 0.
    expect(b.ask(q, 'lv').entry).toBeNull();
    const next = a.snapshot.with(change());
    await a.write(next);
    a.swap(next);
    expect(await b.refresh()).toBe(true);
    expect(b.snapshot.version).toBe(1);
    expect(b.ask(q, 'lv').entry?.id).toBe('purposes-overview');
    expect(await b.refresh()).toBe(false);
  });

  it('a question asked while versions swap is answered wholly by one of them', () => {
    const b = new Overlay(two.kv(`${OVERLAY_SPACE}-x`), engine);
    const q = 'Vai mani dati tiek izmantoti mākslīgā intelekta apmācībai?';
    let snap = b.snapshot;
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      snap = i % 2 ? snap.withoutLast() : snap.with(change());
      b.swap(snap);
      const answer = b.ask(q, 'lv');
      // the answer and its version's exemplars agree: never one version's entry with another's miss
      expect(answer.entry?.id ?? null).toBe(snap.doc.changes.length ? 'purposes-overview' : null);
      seen.add(answer.entry?.id ?? 'none');
    }
    expect([...seen].sort()).toEqual(['none', 'purposes-overview']);
  });
});

describe('thunder kb export', () => {
  it('writes the overlay as YAML: questions per entry and out of scope, without the markers of redacted data', () => {
    const doc = new Snapshot(EMPTY, engine)
      .with(change({ texts: [{ text: 'Vai AI mācās no maniem datiem? Mans e-pasts [email], tālr. [phone]', lang: 'lv' }] }))
      .with(change({ kind: 'none', entryId: undefined, texts: [{ text: 'Do you sell my data to advertisers?', lang: 'en' }] })).doc;
    const yaml = overlayYaml(doc, new Date('2026-12-07T08:00:00Z'));
    expect(yaml).toMatch(/^# Knowledge overlay version 2, exported 2026-12-07T08:00:00.000Z/);
    expect(load(yaml)).toEqual({
      version: 2,
      entries: { 'purposes-overview': { lv: ['Vai AI mācās no maniem datiem? Mans e-pasts, tālr.'], en: [] } },
      out_of_scope: { lv: [], en: ['Do you sell my data to advertisers?'] },
    });
  });
});
