import { describe, expect, it } from 'vitest';
import { fold, MAX_INPUT_CHARS, normalize, truncate, words } from '../../src/answers/normalize.js';
import { stemEn, stemLv } from '../../src/answers/stem.js';
import { distance, Speller } from '../../src/answers/spell.js';

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

  it('measures optimal string alignment distance', () => {
    expect(distance('abc', 'abc')).toBe(0);
    expect(distance('abc', 'acb')).toBe(1);
    expect(distance('kitten', 'sitting')).toBe(3);
    expect(distance('', 'abc')).toBe(3);
  });
});
