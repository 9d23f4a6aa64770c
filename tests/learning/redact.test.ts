import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keepable, looksPersonal, redact } from '../../src/learning/redact.js';

/** [typed, redacted]: Latvian fixtures as customers write them. */
const TABLE: [string, string][] = [
  ['Mans e-pasts ir jānis.bērziņš@pasts.lv, lūdzu atbildiet', 'Mans e-pasts ir [email], lūdzu atbildiet'],
  ['raksti uz ANNA_O+rekl@Kilowats.LV', 'raksti uz [email]'],
  ['zvaniet +371 29 123 456 pēc pusdienām', 'zvaniet [phone] pēc pusdienām'],
  ['tālr. +37129123456', 'tālr. [phone]'],
  ['mans nr 00371 67 123 456', 'mans nr [phone]'],
  ['zvani 29123456!', 'zvani [phone]!'],
  ['zvani 2912 3456 vai 29-123-456', 'zvani [phone] vai [phone]'],
  ['personas kods 010190-12345', 'personas kods [id]'],
  ['mans p.k. 01019012345', 'mans p.k. [id]'],
  ['jaunais kods 321234-56789, lūdzu', 'jaunais kods [id], lūdzu'],
  ['konts LV80BANK0000435195001', 'konts [iban]'],
  ['konts LV80 BANK 0000 4351 9500 1 manā vārdā', 'konts [iban] manā vārdā'],
  ['konts lv80bank0000435195001', 'konts [iban]'],
  ['IBAN DE89 3704 0044 0532 0130 00 vācu bankā', 'IBAN [iban] vācu bankā'],
  ['karte 4111 1111 1111 1111 derīga', 'karte [card] derīga'],
  ['karte 5500-0000-0000-0004', 'karte [card]'],
  ['līgums nr. 123456789 par elektrību', 'līgums nr. [number] par elektrību'],
  ['pase LV1234567', 'pase LV[number]'],
];

/** Must come out exactly as typed. */
const SURVIVE = [
  'Regula (ES) 2016/679 jeb VDAR',
  'politika 17.04.2023. redakcijā',
  'ko nosaka 17. pants?',
  'GDPR 6. panta 1. punkta f) apakšpunkts',
  'cena 29,99 EUR mēnesī',
  'maksāju 12 345 eiro gadā',
  'rēķins par 1 234,56 € bija par lielu',
  'līdz 2025. gada 31. decembrim',
  'pēc 30 dienām vai 24 stundām',
  'kWh cena 0,1523 €/kWh',
  'tarifs 20 000 000 EUR gadā',
  'vai 15 min pietiek?',
];

describe('redaction', () => {
  it.each(TABLE)('redacts %j', (typed, redacted) => {
    expect(redact(typed)).toBe(redacted);
  });

  it.each(SURVIVE)('keeps %j as typed', (text) => {
    expect(redact(text)).toBe(text);
  });

  it('does not redact a card-like number that fails Luhn as a card', () => {
    // 16 digits, Luhn fails: still a long digit run, never kept as digits.
    expect(redact('karte 4111 1111 1111 1112')).not.toContain('[card]');
    expect(redact('karte 4111111111111112')).toBe('karte [number]');
  });

  it('keeps nothing when redaction leaves too little', () => {
    expect(keepable('anna@pasts.lv 29123456')).toBeUndefined();
    expect(keepable('010190-12345')).toBeUndefined();
    expect(keepable('ok?')).toBeUndefined();
    expect(keepable('Vai jūs pārdodat manus datus? anna@pasts.lv')).toBe('Vai jūs pārdodat manus datus? [email]');
  });

  it('cuts what it keeps to 300 characters', () => {
    const long = `${'Kāpēc jūs glabājat manus datus tik ilgi '.repeat(20)}?`;
    const kept = keepable(long)!;
    expect(kept.length).toBeLessThanOrEqual(300);
    expect(kept.endsWith('…')).toBe(true);
  });
});

// Generators of personal data as Latvian customers type it.
const digits = (n: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((d) => d.join(''));
const sep = fc.constantFrom('', ' ', '-');
const email = fc
  .tuple(
    fc.stringMatching(/^[a-zāčēģīķļņšūž][a-zāčēģīķļņšūž0-9._]{0,10}$/),
    fc.constantFrom('pasts.lv', 'inbox.lv', 'gmail.com', 'kilowats.lv', 'e-pasts.lv'),
  )
  .map(([u, d]) => `${u}@${d}`);
const phone = fc.oneof(
  fc.tuple(fc.constantFrom('+371', '00371', '+371 '), fc.constantFrom('2', '6'), digits(7)).map(([p, f, r]) => `${p}${f}${r}`),
  fc.tuple(fc.constantFrom('2', '6'), digits(1), sep, digits(3), sep, digits(3)).map((p) => p.join('')),
);
const code = fc.oneof(
  fc.tuple(digits(6), fc.constantFrom('-', ''), digits(5)).map((p) => p.join('')),
  fc.tuple(digits(4), fc.constantFrom('-', ''), digits(5)).map(([a, s, b]) => `32${a}${s}${b}`),
);
const iban = digits(13).map((d) => `LV${'12'}HABA${d}`);
const longRun = digits(9);
const pii = fc.oneof(email, phone, code, iban, longRun);
const words = fc.constantFrom(
  'vai',
  'jūs',
  'glabājat',
  'manus',
  'datus',
  'lūdzu',
  'dzēsiet',
  'kods',
  'tālrunis',
  'e-pasts',
  '17.04.2023',
  '2016/679',
  '17. pants',
  '29,99 €',
  'ko',
  'nozīmē',
);
const message = fc.array(fc.oneof({ weight: 3, arbitrary: words }, { weight: 1, arbitrary: pii }), { minLength: 1, maxLength: 14 });

describe('redaction property', () => {
  it('nothing kept matches a personal-data pattern, and no generated value survives', () => {
    fc.assert(
      fc.property(message, fc.constantFrom(' ', ', ', '\n', ' — '), (parts, glue) => {
        const kept = keepable(parts.join(glue));
        if (kept === undefined) return;
        expect(looksPersonal(kept)).toBe(false);
        expect(kept).not.toMatch(/@[\p{L}\p{N}-]+\.\p{L}{2,}/u);
        expect(kept).not.toMatch(/\d{7,}/);
        expect(kept).not.toMatch(/\+371|00371/);
        const digitsOnly = kept.replace(/[\s-]/g, '');
        for (const p of parts) if (/\d{7}/.test(p.replace(/[\s-]/g, ''))) expect(digitsOnly).not.toContain(p.replace(/[\s-]/g, ''));
      }),
      { numRuns: 500 },
    );
  });
});
