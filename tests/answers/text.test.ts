import { describe, expect, it } from 'vitest';
import { detectLang } from '../../src/answers/lang.js';
import { fold, MAX_INPUT_CHARS, normalize, truncate, words } from '../../src/answers/normalize.js';
import { stemEn, stemLv, unprefixLv } from '../../src/answers/stem.js';
import { distance, likelyTypo, Speller } from '../../src/answers/spell.js';
import { contentWords } from '../../src/answers/terms.js';

describe('normalize', () => {
  it('folds case and every Latvian diacritic', () => {
    expect(fold('ĀČĒĢĪĶĻŅŠŪŽ āčēģīķļņšūž')).toBe('acegiklnsuz acegiklnsuz');
    expect(normalize('Kā iesniegt SŪDZĪBU?!')).toBe('ka iesniegt sudzibu');
  });

  it('drops punctuation, emoji and control characters and collapses spaces', () => {
    expect(normalize('  „Personas dati”…\t\n(GDPR) 🔥🔥 \u0000\u0007 ok ')).toBe('personas dati gdpr ok');
    expect(normalize('🙂🙂🙂')).toBe('');
    expect(words('')).toEqual([]);
  });

  it('joins hyphenated words so e-pasts and epasts meet', () => {
    expect(normalize('e-pasts, E-mail')).toBe('epasts email');
    expect(normalize('ES/EEZ')).toBe('es eez');
  });

  it('cuts overlong input at a word boundary', () => {
    const long = 'vārds '.repeat(5000);
    const cut = truncate(long);
    expect(cut.length).toBeLessThanOrEqual(MAX_INPUT_CHARS);
    expect(cut.length).toBeGreaterThan(MAX_INPUT_CHARS * 0.8);
    expect(cut.endsWith('vārds')).toBe(true);
    expect(truncate('short')).toBe('short');
  });

  it('keeps content words only', () => {
    expect(contentWords('Kā es varu dzēst savus datus?')).toEqual(['dzest', 'datus']);
    expect(contentWords('How can I delete my data?')).toEqual(['delete', 'data']);
  });

  it('keeps "US" as a country but drops "us" as a pronoun', () => {
    expect(contentWords('Is my data stored in the US?')).toEqual(['data', 'stored', 'usa']);
    expect(contentWords('is my data stored in the u.s.')).toEqual(['data', 'stored', 'usa']);
    expect(contentWords('US servers')).toEqual(['usa', 'servers']);
    expect(contentWords('tell us more')).toEqual(['more']);
    expect(contentWords('CONTACT US')).toEqual(['contact']);
  });
});

describe('stemming', () => {
  it('meets the inflections of a Latvian noun', () => {
    const forms = ['dati', 'datu', 'datus', 'datiem', 'datos'];
    expect(new Set(forms.map(stemLv)).size).toBe(1);
    expect(new Set(['sudziba', 'sudzibu', 'sudzibas', 'sudzibam'].map(stemLv)).size).toBe(1);
    expect(new Set(['tiesibas', 'tiesibu', 'tiesibam', 'tiesiba'].map(stemLv)).size).toBe(1);
  });

  it('meets the forms of a Latvian verb', () => {
    expect(new Set(['apstradat', 'apstradajat', 'apstrada', 'apstradaju'].map(stemLv)).size).toBe(1);
    expect(new Set(['labot', 'labojiet', 'laboju'].map(stemLv)).size).toBe(1);
    expect(new Set(['glabat', 'glabajat', 'glabajam'].map(stemLv)).size).toBe(1);
  });

  it('keeps different words apart', () => {
    expect(stemLv('dati')).not.toBe(stemLv('datums'));
    expect(stemEn('data')).not.toBe(stemEn('date'));
    expect(stemEn('policy')).not.toBe(stemEn('police'));
    expect(stemEn('policies')).toBe(stemEn('policy'));
  });

  it('strips Latvian verb prefixes only when a stem remains', () => {
    expect(unprefixLv('izdzest')).toBe('dzest');
    expect(unprefixLv('uzglabat')).toBe('glabat');
    expect(unprefixLv('izet')).toBeUndefined();
    expect(unprefixLv('dati')).toBeUndefined();
  });

  it('meets English inflections', () => {
    expect(new Set(['delete', 'deleted', 'deletes', 'deleting', 'deletion'].map(stemEn)).size).toBe(1);
    expect(new Set(['process', 'processes', 'processed', 'processing'].map(stemEn)).size).toBe(1);
    expect(stemEn('controller')).toBe(stemEn('control'));
    expect(stemEn('address')).toBe('address');
  });
});

describe('typo correction', () => {
  const speller = new Speller(['sudzibu', 'inspekcija', 'privatuma', 'politika', 'delete']);

  it('finds known words one edit away (insert, delete, substitute, swap)', () => {
    expect(speller.candidates('sudzbu')).toEqual(['sudzibu']);
    expect(speller.candidates('politka')).toEqual(['politika']);
    expect(speller.candidates('dlete')).toEqual(['delete']);
    expect(speller.candidates('delte')).toEqual(['delete']);
    expect(speller.candidates('privatuma')).toEqual([]);
    expect(speller.candidates('banana')).toEqual([]);
  });

  it('finds long words two edits away with fuse.js', () => {
    expect(speller.closest('inspekcjia')).toBe('inspekcija');
    expect(speller.closest('privatumaa')).toBe('privatuma');
    expect(speller.closest('kartupelis')).toBeUndefined();
  });

  it('reads slips of a function word as typos, not other real words', () => {
    for (const [word, stop] of [['yuor', 'your'], ['whta', 'what'], ['pleas', 'please'], ['hoow', 'how'], ['manem', 'manam'], ['wants', 'want']]) {
      expect(likelyTypo(word!, stop!), word).toBe(true);
    }
    for (const [word, stop] of [['send', 'sen'], ['hour', 'our'], ['bill', 'will'], ['wait', 'want'], ['visi', 'vini']]) {
      expect(likelyTypo(word!, stop!), word).toBe(false);
    }
  });

  it('measures optimal string alignment distance', () => {
    expect(distance('abc', 'abc')).toBe(0);
    expect(distance('abc', 'acb')).toBe(1);
    expect(distance('kitten', 'sitting')).toBe(3);
    expect(distance('', 'abc')).toBe(3);
  });
});

describe('detectLang', () => {
  it('sees Latvian by its diacritics and function words', () => {
    expect(detectLang('Kā iesniegt sūdzību?', 'en')).toBe('lv');
    expect(detectLang('ka iesniegt sudzibu par datu apstradi', 'en')).toBe('lv');
    expect(detectLang('vai jus glabajat manus datus', 'en')).toBe('lv');
  });

  it('sees English by its function words', () => {
    expect(detectLang('How do I complain about my data?', 'lv')).toBe('en');
    expect(detectLang('what is the policy about', 'lv')).toBe('en');
  });

  it('falls back to the default for short, unknown or evenly mixed text', () => {
    expect(detectLang('GDPR', 'en')).toBe('en');
    expect(detectLang('GDPR', 'lv')).toBe('lv');
    expect(detectLang('', 'lv')).toBe('lv');
    expect(detectLang('🙂 123 !!!', 'en')).toBe('en');
    expect(detectLang('Привет, как дела?', 'lv')).toBe('lv');
  });

  it('goes with the majority in mixed text', () => {
    expect(detectLang('Hi! Kā es varu dzēst savus datus, lūdzu?', 'en')).toBe('lv');
    expect(detectLang('Labdien, how can I see what data you have about me?', 'lv')).toBe('en');
  });
});
