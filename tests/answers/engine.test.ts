import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ANSWER_AT, AnswerEngine, calibrate, type Answer } from '../../src/answers/engine.js';
import { asksDefinition } from '../../src/answers/intent.js';
import { loadKnowledge } from '../../src/answers/knowledge.js';

const engine = new AnswerEngine(loadKnowledge());
const id = (a: Answer) => a.entry?.id ?? null;

describe('AnswerEngine', () => {
  it('answers the same with or without diacritics and in any case', () => {
    const forms = ['Kā iesniegt sūdzību Datu valsts inspekcijā?', 'ka iesniegt sudzibu datu valsts inspekcija', 'KĀ IESNIEGT SŪDZĪBU DATU VALSTS INSPEKCIJĀ'];
    const ids = forms.map((q) => id(engine.ask(q, 'en')));
    expect(ids[0]).toBe('complaint-dvi');
    expect(new Set(ids).size).toBe(1);
  });

  it('copes with inflections and typos', () => {
    expect(id(engine.ask('cik ilgi glabājat manus datus', 'lv'))).toBe('retention');
    expect(id(engine.ask('cik ilgi tiek glabati dati', 'lv'))).toBe('retention');
    expect(id(engine.ask('how lnog do you keeep my data', 'en'))).toBe('retention');
  });

  it('ignores misspelt function words instead of counting them as unknown topics', () => {
    for (const [clean, typo] of [
      ['What data do you collect about me?', 'Whta data do you collect abuot me?'],
      ['Kādus datus jūs vācat par mani?', 'Kadus datus juus vacat par manni?'],
    ]) {
      const a = engine.ask(clean!, 'en');
      const b = engine.ask(typo!, 'en');
      expect(id(a)).not.toBeNull();
      expect(id(b), typo).toBe(id(a));
      expect(b.confidence, typo).toBeGreaterThan(a.confidence - 0.1);
    }
  });

  it('answers in the language of the question, whatever the default', () => {
    const lv = engine.ask('Kam jūs nododat manus personas datus?', 'en');
    expect(lv.lang).toBe('lv');
    const en = engine.ask('Who do you share my personal data with?', 'lv');
    expect(en.lang).toBe('en');
    expect(id(lv)).toBe(id(en));
  });

  it('finds the question inside a long paragraph', () => {
    const paragraph =
      'Labdien! Esmu jūsu klients jau vairākus gadus, un nesen pārcēlos uz citu pilsētu. ' +
      'Vakar saņēmu vēstuli, kas mani mazliet uztrauca, jo nezinu, kas notiek ar maniem datiem. ' +
      'Tāpēc gribu pajautāt: cik ilgi jūs glabājat klientu personas datus pēc līguma beigām? Paldies.';
    expect(id(engine.ask(paragraph, 'lv'))).toBe('retention');
  });

  it('says plainly when the policy does not answer', () => {
    for (const q of ['What is the capital of France?', 'tell me a joke', 'kāds šodien laiks Rīgā', '', '🙂🙂🙂', '12345']) {
      const answer = engine.ask(q, 'en');
      expect(answer.entry, q).toBeNull();
      expect(answer.confidence, q).toBeLessThan(0.5);
    }
  });

  it('refuses off-topic errands but answers questions about the same things as data', () => {
    for (const q of ['Cik maksā elektrība?', 'kā samaksāt par elektrību', 'how much does electricity cost', 'kur var apmaksāt rēķinu']) {
      expect(engine.ask(q, 'lv').entry, q).toBeNull();
    }
    expect(id(engine.ask('Do you store my payment details?', 'en'))).toBe('cat-identification');
    expect(engine.ask('What happens when I do not pay?', 'en').entry).not.toBeNull();
  });

  it('drops an inflected function word ("wants") instead of counting it as an unknown topic', () => {
    expect(id(engine.ask('my wife wants to know what data you hold about her', 'en'))).toBe('right-access');
  });

  it('reads "vajag" (need) as a sign of purposes, not a stop word', () => {
    expect(id(engine.ask('kur ir rakstīts, kāpēc jums vispār vajag manus datus', 'lv'))).toBe('purposes-overview');
    expect(id(engine.ask('man vajag dzēst savus datus', 'lv'))).toBe('right-erasure');
  });

  it('tells "who" questions (recipients, controller) from what the word next to it suggests', () => {
    expect(id(engine.ask('who can I ask about my data', 'en'))).toBe('controller');
    expect(id(engine.ask('which companies can access my personal information', 'en'))).toBe('recipients');
    expect(id(engine.ask('who receives my data', 'en'))).toBe('recipients');
  });

  it('reads "the US" as a country: a transfers question', () => {
    expect(id(engine.ask('is my data stored in the US', 'en'))).toBe('transfers-outside-eu');
    expect(id(engine.ask('do you use US servers', 'en'))).toBe('transfers-outside-eu');
  });

  it('refuses contract and partnership errands but answers contracts as a reason for data', () => {
    for (const q of ['how do I sign a contract', 'how can I cancel my contract', 'how do I become a partner', 'kā noslēgt līgumu', 'kā kļūt par jūsu partneri']) {
      expect(engine.ask(q, 'en').entry, q).toBeNull();
    }
    expect(id(engine.ask('who are your partners', 'en'))).toBe('recipients');
    expect(id(engine.ask('what data do you collect when I sign a contract', 'en'))).toBe('categories-overview');
  });

  it('refuses what the policy is silent on beside a topic it covers: request fees and deadlines, CCTV, children, outages', () => {
    const silent = [
      'is it free to ask for a copy of my data',
      'vai par datu kopiju jāmaksā',
      'how long will you take to answer my erasure request',
      'cik dienu laikā jūs atbildēsiet uz manu iesniegumu',
      'do you have cameras in the customer office',
      'vai birojā ir videonovērošana',
      'do you process data of children',
      'vai apstrādājat bērnu datus',
      'nav elektrības visā mājā',
      'name the exact countries you send my data to',
      'what is the phone number of your data protection specialist',
    ];
    for (const q of silent) expect(engine.ask(q, 'en').entry, q).toBeNull();
    // the same words in questions the policy answers
    expect(id(engine.ask('how long do you keep my data after the contract ends', 'en'))).toBe('retention');
    expect(id(engine.ask('cik ilgi glabāsiet manus datus', 'lv'))).toBe('retention');
    expect(id(engine.ask('can I get a copy of my personal data', 'en'))).toBe('right-access');
    expect(id(engine.ask('do you send my data to countries outside the EU', 'en'))).toBe('transfers-outside-eu');
  });

  it('ignores short function words misspelt (letters swapped or dropped), too short for the speller', () => {
    expect(id(engine.ask('why do yuo need teh data fro', 'en'))).toBe('purposes-overview');
    expect(id(engine.ask('wat data do yu colect', 'en'))).toBe('categories-overview');
  });

  it('reads cues made of function words: "say no" is an objection, "who else sees" the recipients', () => {
    expect(id(engine.ask('can I just say no to all of this processing of my information', 'en'))).toBe('right-objection');
    expect(id(engine.ask('who else sees my data besides you', 'en'))).toBe('recipients');
  });

  it('gives a definition question to the entry defining the term it names', () => {
    expect(id(engine.ask('vai datu glabāšana arhīvā jau skaitās apstrāde?', 'lv'))).toBe('def-processing');
    expect(id(engine.ask('ko jūs saprotat ar vārdiem "personas dati"', 'lv'))).toBe('def-personal-data');
    // "I think that…" is not a definition cue
    expect(asksDefinition('kur rakstīt, ja uzskatu, ka apstrādājat datus nepareizi')).toBe(false);
  });

  it('refuses billing and contract administration that names no data', () => {
    const errands = [
      'when is my next bill due to be paid',
      'līdz kuram datumam jāapmaksā rēķins',
      'where do I find my client number',
      'send me a duplicate of the March invoice',
      'kad beidzas mans līgums',
      'can someone call me back tomorrow',
      'how do I subscribe to your newsletter',
      'vai varu runāt ar jums krieviski',
      'your support agent was rude to me and I want to complain about him',
      'why are your prices going up in January',
      'can I pay the bill with a card in your office',
      'vai jūs pārdodat arī gāzi',
    ];
    for (const q of errands) expect(engine.ask(q, 'en').entry, q).toBeNull();
    expect(id(engine.ask('how long do you keep my data after my contract ends', 'en'))).toBe('retention');
    expect(id(engine.ask('can I get a copy of all the data you have about me', 'en'))).toBe('right-access');
    expect(id(engine.ask('I want to complain about how you handle my personal data', 'en'))).toBe('complaint-company');
  });

  it('reads a short sentence of a long message in its context', () => {
    const message =
      'Last month I received a promotional SMS from you about a solar offer. Is that what my number is used for?';
    expect(id(engine.ask(message, 'en'))).toBe('purpose-marketing');
    // a two-word sentence does not outweigh the rest of the message
    expect(id(engine.ask('Do you use service providers outside the EU, like in India? What protects my data there?', 'en'))).toBe(
      'transfers-outside-eu',
    );
  });

  it('marks a request to exercise a right and answers with that right', () => {
    const answer = engine.ask('dzēsiet manus datus', 'lv');
    expect(answer.exercise).toBe('erasure');
    expect(id(answer)).toBe('right-erasure');
    expect(engine.ask('vai es varu lūgt dzēst datus?', 'lv').exercise).toBeUndefined();
  });

  it('offers suggestions only when unsure, never the answered entry', () => {
    const sure = engine.ask('How long do you keep my personal data?', 'en');
    expect(sure.confidence).toBeGreaterThanOrEqual(0.7);
    expect(sure.suggestions).toEqual([]);
    const vague = engine.ask('dati', 'lv');
    expect(vague.suggestions.length).toBeLessThanOrEqual(3);
    expect(vague.suggestions.map((s) => s.id)).not.toContain(vague.entry?.id);
  });

  it('calibrates monotonically into 0..1 with 0.5 at the answer threshold', () => {
    const raw = [0, 0.1, ANSWER_AT - 0.01, ANSWER_AT, ANSWER_AT + 0.01, 0.9, 1, 2];
    const conf = raw.map(calibrate);
    expect(conf).toEqual([...conf].sort((a, b) => a - b));
    expect(conf[0]).toBe(0);
    expect(conf[2]).toBeLessThan(0.5);
    expect(conf[3]).toBe(0.5);
    expect(conf.at(-1)).toBe(1);
  });
});

describe('AnswerEngine properties', () => {
  const text = fc.oneof(
    fc.string({ maxLength: 300 }),
    fc.string({ unit: 'grapheme', maxLength: 200 }),
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.array(fc.constantFrom('🔥', '🙂', '👍🏽', '\u0000', '\uFFFF', '\uD800', 'ā', 'Ž', 'dati', 'data', ' ', '?'), { maxLength: 100 }).map((a) => a.join('')),
    fc
      .array(fc.constantFrom('kā', 'dzēst', 'datus', 'how', 'delete', 'my', 'data', 'sūdzība', 'complaint', 'politika', 'xyz'), { maxLength: 40 })
      .map((a) => a.join(' ')),
    fc.string({ minLength: 9000, maxLength: 12000 }),
  );

  it('never throws; confidence in [0,1]; at most 3 suggestions; deterministic', () => {
    fc.assert(
      fc.property(text, fc.constantFrom('lv' as const, 'en' as const), (q, lang) => {
        const a = engine.ask(q, lang);
        expect(a.confidence).toBeGreaterThanOrEqual(0);
        expect(a.confidence).toBeLessThanOrEqual(1);
        expect(a.suggestions.length).toBeLessThanOrEqual(3);
        expect(['lv', 'en']).toContain(a.lang);
        expect(a.entry === null || a.confidence >= 0.5).toBe(true);
        const again = engine.ask(q, lang);
        expect(id(again)).toBe(id(a));
        expect(again.confidence).toBe(a.confidence);
        expect(again.suggestions.map((s) => s.id)).toEqual(a.suggestions.map((s) => s.id));
      }),
      { numRuns: 300 },
    );
  });

  // How quickly is a benchmark's question (npm run bench); a runaway cost still trips the test timeout.
  it('answers a 10 000-character input the same as its opening question', () => {
    const q = 'Cik ilgi jūs glabājat manus personas datus? ';
    const huge = q + 'bla '.repeat(2500);
    const a = engine.ask(huge, 'lv');
    expect(a.lang).toBe('lv');
    expect(a.entry === null || a.entry.id === 'retention').toBe(true);
  });
});
