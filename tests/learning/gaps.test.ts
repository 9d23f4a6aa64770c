import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterGaps, type Gap, Gaps } from '../../src/learning/gaps.js';
import { looksPersonal } from '../../src/learning/redact.js';
import type { GapInput } from '../../src/learning/types.js';
import { Store } from '../../src/state/store.js';
import { sqliteRowsWith } from '../helpers/store.js';

const DAY = 24 * 60 * 60 * 1000;
let dir: string;
let store: Store;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'thunder-gaps-'));
  store = new Store({ dataDir: dir, prefix: 'gaps' });
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const gap = (text: string, over: Partial<GapInput> = {}): GapInput => ({
  text,
  lang: 'lv',
  channel: 'web',
  reason: 'unanswered',
  candidates: [
    { id: 'recipients', p: 0.21 },
    { id: 'purposes', p: 0.12 },
  ],
  ...over,
});

describe('gaps in the store (real SQLite, fake clock)', () => {
  it('keeps the redacted text, the candidates, reason, counts and times, and no user or chat id', async () => {
    let now = 1_000_000;
    const gaps = new Gaps(store.kv('g1', 30 * DAY), 30 * DAY, () => now);
    expect(await gaps.capture(gap('Vai jūs pārdodat manus datus reklāmdevējiem? Mans e-pasts anna@inbox.lv'))).toBe('new');
    now += 1000;
    // The same question, other case and punctuation: one gap, counted twice.
    expect(await gaps.capture(gap('vai jūs pārdodat manus datus reklāmdevējiem. mans e-pasts ir [email]', { channel: 'telegram' }))).toBe(
      'new',
    );
    expect(await gaps.capture(gap('Vai jūs pārdodat manus datus reklāmdevējiem? Mans e-pasts janis@pasts.lv'))).toBe('seen');
    // "None of these" after the question was captured marks it instead of counting it again.
    expect(
      await gaps.capture(gap('Vai jūs pārdodat manus datus reklāmdevējiem? Mans e-pasts anna@inbox.lv', { reason: 'none_of_these' })),
    ).toBe('seen');
    const list = await gaps.list();
    const first = list.find((g) => g.text.startsWith('Vai jūs pārdodat'))!;
    expect(first).toMatchObject({
      lang: 'lv',
      channel: 'web',
      text: 'Vai jūs pārdodat manus datus reklāmdevējiem? Mans e-pasts [email]',
      candidates: [
        { id: 'recipients', p: 0.21 },
        { id: 'purposes', p: 0.12 },
      ],
      reason: 'none_of_these',
      count: 2,
      firstSeen: 1_000_000,
      lastSeen: 1_001_000,
    });
    expect(Object.keys(first).sort()).toEqual([
      'candidates',
      'channel',
      'count',
      'firstSeen',
      'id',
      'key',
      'lang',
      'lastSeen',
      'reason',
      'text',
    ]);
    expect(await sqliteRowsWith(dir, 'anna@inbox.lv')).toEqual([]);
    expect(await sqliteRowsWith(dir, 'janis@pasts.lv')).toEqual([]);
  });

  it('keeps nothing when redaction leaves too little', async () => {
    const gaps = new Gaps(store.kv('g2', 30 * DAY), 30 * DAY, () => 0);
    expect(await gaps.capture(gap('anna@inbox.lv +371 29123456'))).toBe('dropped');
    expect(await gaps.list()).toEqual([]);
  });

  it('forgets a gap REVIEW_TTL_DAYS after its first capture, whatever came later, and deletes it from disk', async () => {
    let now = 5 * DAY;
    const ttl = 30 * DAY;
    const gaps = new Gaps(store.kv('g3', ttl), ttl, () => now);
    await gaps.capture(gap('Kāpēc jūs zvanāt man vakaros par piedāvājumiem?'));
    now += 29 * DAY;
    await gaps.capture(gap('Kāpēc jūs zvanāt man vakaros par piedāvājumiem?'));
    expect((await gaps.list()).map((g) => g.count)).toEqual([2]);
    expect((await sqliteRowsWith(dir, 'zvanāt man vakaros')).length).toBe(1);
    now += DAY;
    expect(await gaps.list()).toEqual([]);
    expect(await sqliteRowsWith(dir, 'zvanāt man vakaros')).toEqual([]);
    // Asked again after that: a new gap, counted from one.
    await gaps.capture(gap('Kāpēc jūs zvanāt man vakaros par piedāvājumiem?'));
    expect((await gaps.list()).map((g) => [g.count, g.firstSeen])).toEqual([[1, now]]);
  });

  it('deletes resolved gaps at once', async () => {
    const gaps = new Gaps(store.kv('g4', DAY), DAY, () => 0);
    await gaps.capture(gap('Vai jūs izmantojat manus datus mākslīgā intelekta apmācībai?'));
    const [g] = await gaps.list();
    await gaps.remove([g!.id]);
    expect(await gaps.list()).toEqual([]);
    expect(await sqliteRowsWith(dir, 'intelekta')).toEqual([]);
  });

  it("/forget erases the gaps a user's messages made, found again from the messages alone", async () => {
    const gaps = new Gaps(store.kv('g6', DAY), DAY, () => 0);
    await gaps.capture(gap('Vai jūs glabājat manu tālruni Plūmju ielā sešpadsmit? 29123456'));
    await gaps.capture(gap('Vai jūs izmantojat manus datus mākslīgā intelekta apmācībai?', { lang: 'en' }));
    await gaps.forget(['vai jūs glabājat manu tālruni plūmju ielā sešpadsmit', 'ok']);
    expect((await gaps.list()).map((g) => g.text)).toEqual(['Vai jūs izmantojat manus datus mākslīgā intelekta apmācībai?']);
    expect(await sqliteRowsWith(dir, 'Plūmju')).toEqual([]);
    await gaps.forget(['Vai jūs izmantojat manus datus mākslīgā intelekta apmācībai?']);
    expect(await gaps.list()).toEqual([]);
  });

  it('no stored gap matches a personal-data pattern (property, on the SQLite file)', async () => {
    const gaps = new Gaps(store.kv('g5', DAY), DAY, () => 0);
    const digits = (n: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((d) => d.join(''));
    const pii = fc.oneof(
      fc.tuple(fc.stringMatching(/^[a-zāēīšž][a-zāēīšž0-9.]{0,8}$/), fc.constantFrom('pasts.lv', 'gmail.com')).map(([u, d]) => `${u}@${d}`),
      fc.tuple(fc.constantFrom('+371 ', '+371', ''), fc.constantFrom('2', '6'), digits(7)).map((p) => p.join('')),
      fc.tuple(digits(6), fc.constantFrom('-', ''), digits(5)).map((p) => p.join('')),
      digits(13).map((d) => `LV80HABA${d}`),
    );
    const word = fc.constantFrom('vai', 'jūs', 'dzēsīsiet', 'manus', 'datus', 'rēķinu', 'kods', 'numurs', '2016/679', '17.04.2023');
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(word, word, pii), { minLength: 2, maxLength: 10 }), async (parts) => {
        await gaps.capture(gap(parts.join(' ')));
      }),
      { numRuns: 150 },
    );
    const rows = await sqliteRowsWith(dir, 'gaps-g5');
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(looksPersonal(row.value), row.value).toBe(false);
  });
});

describe('clusters', () => {
  const g = (id: string, text: string, top: string | undefined, firstSeen: number, count = 1): Gap => ({
    id,
    lang: 'lv',
    channel: 'web',
    text,
    key: text,
    candidates: top ? [{ id: top, p: 0.3 }] : [],
    reason: 'unanswered',
    count,
    firstSeen,
    lastSeen: firstSeen,
  });

  const gaps = [
    g('a', 'Vai jūs pārdodat manus datus reklāmdevējiem?', 'recipients', 1),
    g('b', 'vai jus pardodat manus datus reklamdevejiem', 'recipients', 2, 3),
    g('c', 'Vai jūs pārdodat manus personas datus reklāmdevējiem?', 'recipients', 3),
    g('d', 'Vai jūs pārdodat manus datus reklāmdevējiem?', 'purposes', 4),
    g('e', 'Kur var apskatīt manus rēķinus?', 'recipients', 5),
  ];

  it('groups the same question under the same top candidate, with a count, most asked first', () => {
    const clusters = clusterGaps(gaps);
    expect(clusters.map((c) => [c.id, c.count, c.gaps.map((x) => x.id)])).toEqual([
      ['a', 5, ['b', 'a', 'c']],
      ['d', 1, ['d']],
      ['e', 1, ['e']],
    ]);
  });

  it('is deterministic whatever order the store lists the gaps in', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(gaps, { minLength: gaps.length }), (shuffled) => {
        expect(clusterGaps(shuffled)).toEqual(clusterGaps(gaps));
      }),
    );
  });
});
