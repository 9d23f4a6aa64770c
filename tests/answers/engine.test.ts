import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AnswerEngine, type Answer } from '../../src/answers/engine.js';
import { loadKnowledge } from '../../src/answers/knowledge.js';

const engine = new AnswerEngine(loadKnowledge());
const id = (a: Answer) => a.entry?.id ?? null;

describe('AnswerEngine', () => {
  it('uses the prebuilt models: they match the knowledge base and training files', () => {
    expect(engine.prebuilt).toBe(true);
  });

  it('answers the same with or without diacritics and in any case', () => {
    const forms = [
      'Kā iesniegt sūdzību Datu valsts inspekcijā?',
      'ka iesniegt sudzibu datu valsts inspekcija',
      'KĀ IESNIEGT SŪDZĪBU DATU VALSTS INSPEKCIJĀ',
    ];
    const ids = forms.map((q) => id(engine.ask(q, 'en')));
    expect(ids[0]).toBe('complaint-dvi');
    expect(new Set(ids).size).toBe(1);
  });

  it('copes with inflections and typos', () => {
    expect(id(engine.ask('cik ilgi glabājat manus datus', 'lv'))).toBe('retention');
    expect(id(engine.ask('cik ilgi tiek glabati dati', 'lv'))).toBe('retention');
    expect(id(engine.ask('how lnog do you keeep my data', 'en'))).toBe('retention');
  });

  it('answers in the language of the question, whatever the default', () => {
    const lv = engine.ask('Kam jūs nododat manus personas datus?', 'en');
    expect(lv.lang).toBe('lv');
    const en = engine.ask('Who do you share my personal data with?', 'lv');
    expect(en.lang).toBe('en');
    expect(id(lv)).toBe(id(en));
    expect(engine.ask('ok', 'en').lang).toBe('en');
  });

  it('tells Latvian from English, falling back to the default for short or unknown text', () => {
    expect(engine.language('Kā iesniegt sūdzību?', 'en')).toBe('lv');
    expect(engine.language('ka iesniegt sudzibu par datu apstradi', 'en')).toBe('lv');
    expect(engine.language('vai jus glabajat manus datus', 'en')).toBe('lv');
    expect(engine.language('How do I complain about my data?', 'lv')).toBe('en');
    expect(engine.language('what is the policy about', 'lv')).toBe('en');
    expect(engine.language('', 'lv')).toBe('lv');
    expect(engine.language('🙂 123 !!!', 'en')).toBe('en');
    expect(engine.language('Hi! Kā es varu dzēst savus datus, lūdzu?', 'en')).toBe('lv');
    expect(engine.language('Labdien, how can I see what data you have about me?', 'lv')).toBe('en');
  });

  it('finds the question inside a long paragraph', () => {
    const paragraph =
      'Labdien! Esmu jūsu klients jau vairākus gadus, un nesen pārcēlos uz citu pilsētu. ' +
      'Vakar saņēmu vēstuli, kas mani mazliet uztrauca, jo nezinu, kas notiek ar maniem datiem. ' +
      'Tāpēc gribu pajautāt: cik ilgi jūs glabājat klientu personas datus pēc līguma beigām? Paldies.';
    expect(id(engine.ask(paragraph, 'lv'))).toBe('retention');
  });

  it('says plainly when the policy does not answer, errands that borrow its words included', () => {
    for (const q of [
      'What is the capital of France?',
      'kāds šodien laiks Rīgā',
      '',
      '12345',
      'Cik maksā elektrība?',
      'kur var apmaksāt rēķinu',
    ]) {
      const answer = engine.ask(q, 'en');
      expect(answer.entry, q).toBeNull();
      expect(answer.intent, q).toBe('none');
    }
    expect(id(engine.ask('Do you store my payment details?', 'en'))).toBe('cat-identification');
    // a smiley alone is read as a friendly word (customers send "👍" for thanks), never as a policy answer
    expect(engine.ask('🙂🙂🙂', 'en')).toMatchObject({ entry: null, intent: expect.stringMatching(/^(none|thanks|greeting)$/) });
  });

  it('tells a wish to exercise a right from a question about it', () => {
    const wish = engine.ask('dzēsiet manus datus', 'lv');
    expect(wish).toMatchObject({ intent: 'exercise', exercise: 'erasure' });
    expect(id(wish)).toBe('right-erasure');
    expect(engine.ask('stop sending me marketing emails', 'en')).toMatchObject({ intent: 'exercise', exercise: 'objection' });
    const question = engine.ask('vai es varu lūgt dzēst datus?', 'lv');
    expect(question).toMatchObject({ intent: 'policy', entry: { id: 'right-erasure' } });
    expect(question.exercise).toBeUndefined();
  });

  it('recognises conversation intents, with no entry', () => {
    const cases: [string, Answer['intent']][] = [
      ['gribu runāt ar cilvēku', 'human'],
      ['I want to talk to a human', 'human'],
      ['what is the status of my request?', 'status'],
      ['kāds ir mana pieprasījuma statuss?', 'status'],
      ['labdien', 'greeting'],
      ['hello', 'greeting'],
      ['paldies', 'thanks'],
      ['👍', 'thanks'],
      ['what can you do?', 'help'],
    ];
    for (const [q, intent] of cases) expect(engine.ask(q, 'lv'), q).toMatchObject({ intent, entry: null });
  });

  it('answers a policy question that borrows a conversation word from the policy', () => {
    expect(engine.ask('can a person at your company see my data?', 'en').intent).toBe('policy');
  });

  it('recognises a language it does not serve, Russian in either script', () => {
    const cases: [string, string][] = [
      ['Как удалить мои данные?', 'ru'],
      ['zdravstvuyte, kak udalit moi dannye?', 'ru'],
      ['Guten Tag, welche Daten speichern Sie über mich?', 'de'],
      ['Dzień dobry, jakie dane o mnie przechowujecie?', 'pl'],
      ['Привет', 'ru'],
    ];
    for (const [q, otherLang] of cases) expect(engine.ask(q, 'lv'), q).toMatchObject({ intent: 'other_language', otherLang, entry: null });
    // Russian and Ukrainian split a Cyrillic message's share: together they outweigh ours
    expect(engine.ask('Мой бывший муж оформил договор на моё имя, откуда у вас мой телефон??', 'lv').otherLang).toMatch(/^(ru|uk)$/);
    // "ne" is also Russian and Polish, "ok" anyone's: a single word needs a clear majority
    for (const q of ['sveiki', 'ne', 'ok', 'dzēsiet manus datus', 'kas ir pārzinis'])
      expect(engine.ask(q, 'lv').intent, q).not.toBe('other_language');
  });

  it('offers suggestions only when unsure, never the answered entry', () => {
    const sure = engine.ask('How long do you keep my personal data?', 'en');
    expect(sure.confidence).toBeGreaterThanOrEqual(0.7);
    expect(sure.suggestions).toEqual([]);
    const vague = engine.ask('dati', 'lv');
    expect(vague.suggestions.length).toBeLessThanOrEqual(3);
    expect(vague.suggestions.map((s) => s.id)).not.toContain(vague.entry?.id);
  });

  it('explains an answer: terms, five candidates, the languages and the evidence', () => {
    const x = engine.explain('Kam jūs nododat manus datus?', 'en');
    expect(x.terms).toEqual(['kam', 'jus', 'nododat', 'manus', 'datus']);
    expect(x.candidates).toHaveLength(5);
    expect(x.candidates[0]!.label).toBe(x.answer.entry?.id);
    expect(x.languages[0]!.lang).toBe('lv');
    expect(x.evidence.length).toBeGreaterThan(0);
  });
});

describe('AnswerEngine properties', () => {
  const text = fc.oneof(
    fc.string({ maxLength: 300 }),
    fc.string({ unit: 'grapheme', maxLength: 200 }),
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc
      .array(fc.constantFrom('🔥', '🙂', '👍🏽', '\u0000', '\uFFFF', '\uD800', 'ā', 'Ž', 'dati', 'data', ' ', '?'), { maxLength: 100 })
      .map((a) => a.join('')),
    fc
      .array(
        fc.constantFrom(
          'kā',
          'dzēst',
          'datus',
          'how',
          'delete',
          'my',
          'data',
          'sūdzība',
          'complaint',
          'politika',
          'xyz',
          'удалить',
          'Daten',
        ),
        { maxLength: 40 },
      )
      .map((a) => a.join(' ')),
    fc.string({ minLength: 9000, maxLength: 12000 }),
  );

  it('never throws; a consistent intent; confidence in [0,1]; at most 3 suggestions; deterministic', () => {
    fc.assert(
      fc.property(text, fc.constantFrom('lv' as const, 'en' as const), (q, lang) => {
        const a = engine.ask(q, lang);
        expect(a.confidence).toBeGreaterThanOrEqual(0);
        expect(a.confidence).toBeLessThanOrEqual(1);
        expect(a.suggestions.length).toBeLessThanOrEqual(3);
        expect(['lv', 'en']).toContain(a.lang);
        expect(a.entry !== null).toBe(a.intent === 'policy' || (a.intent === 'exercise' && a.exercise !== 'consent'));
        expect(a.exercise !== undefined).toBe(a.intent === 'exercise');
        expect(a.otherLang !== undefined).toBe(a.intent === 'other_language');
        const again = engine.ask(q, lang);
        expect(again).toEqual(a);
      }),
      { numRuns: 300 },
    );
  });

  it('answers a 10 000-character input the same as its opening question', () => {
    const q = 'Cik ilgi jūs glabājat manus personas datus? ';
    const a = engine.ask(q + 'bla '.repeat(2500), 'lv');
    expect(a.lang).toBe('lv');
    expect(a.entry === null || a.entry.id === 'retention').toBe(true);
  });
});
