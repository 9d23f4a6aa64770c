import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addCalendarMonth } from '../../src/requests/contract.js';
import { checkDetails, containsPersonalCode, parseContact, parseEmail, parseName, parsePhone } from '../../src/requests/validate.js';

describe('phone numbers', () => {
  it.each([
    ['26123456', '+37126123456'],
    ['2612 3456', '+37126123456'],
    ['+371 26 123 456', '+37126123456'],
    ['+371-2612-3456', '+37126123456'],
    ['00371 26123456', '+37126123456'],
    ['371 26123456', '+37126123456'],
    ['(+371) 67 123 456', '+37167123456'],
    ['80001234', '+37180001234'],
    ['+44 20 7946 0958', '+442079460958'],
    ['+1 (415) 555-2671', '+14155552671'],
    ['0049 30 1234567', '+49301234567'],
  ])('accepts %s as %s', (input, expected) => {
    expect(parsePhone(input)).toBe(expected);
  });

  it.each([
    '36123456',
    '2612345',
    '261234567',
    '+371 36123456',
    '+371 2612345',
    '+0123456789',
    '+1234',
    'abc',
    '',
    '+44 20 7946 0958 12345678',
    '26l23456',
  ])('rejects %s', (input) => {
    expect(parsePhone(input)).toBeNull();
  });

  it('accepts every valid Latvian number in any of the usual spellings', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('2', '6', '8'),
        fc.stringMatching(/^\d{7}$/),
        fc.constantFrom('', '+371', '+371 ', '00371', '371'),
        fc.boolean(),
        (first, rest, prefix, spaced) => {
          const local = spaced ? `${first}${rest.slice(0, 3)} ${rest.slice(3)}` : `${first}${rest}`;
          expect(parsePhone(`${prefix}${local}`)).toBe(`+371${first}${rest}`);
        },
      ),
    );
  });

  it('never throws and only ever returns E.164', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (s) => {
        const out = parsePhone(s);
        if (out !== null) expect(out).toMatch(/^\+[1-9]\d{6,14}$/);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('e-mail addresses', () => {
  it.each(['jana@example.lv', 'Jana.Berzina+kw@mail.example.com', ' j@e.co '])('accepts %s', (s) => {
    expect(parseEmail(s)).toBe(s.trim().toLowerCase());
  });

  it.each(['jana', 'jana@', '@example.lv', 'jana@@example.lv', 'jana@example', 'ja na@example.lv', `${'a'.repeat(300)}@e.lv`, ''])(
    'rejects %s',
    (s) => {
      expect(parseEmail(s)).toBeNull();
    },
  );

  it('never throws; anything accepted has one @ and no spaces', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.emailAddress()), (s) => {
        const out = parseEmail(s);
        if (out !== null) expect(out).toMatch(/^[^\s@]+@[^\s@]+$/);
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts generated valid addresses of ordinary shape', () => {
    const ordinary = fc
      .tuple(fc.stringMatching(/^[a-z][a-z0-9.]{0,15}[a-z0-9]$/), fc.stringMatching(/^[a-z]{2,12}$/), fc.constantFrom('lv', 'com', 'eu'))
      .filter(([u]) => !u.includes('..'));
    fc.assert(
      fc.property(ordinary, ([user, host, tld]) => {
        expect(parseEmail(`${user}@${host}.${tld}`)).toBe(`${user}@${host}.${tld}`);
      }),
    );
  });
});

describe('contact (e-mail and/or phone in one message)', () => {
  it('reads either or both', () => {
    expect(parseContact('jana@example.lv')).toEqual({ email: 'jana@example.lv' });
    expect(parseContact('+371 2612 3456')).toEqual({ phone: '+37126123456' });
    expect(parseContact('jana@example.lv, 2612 3456')).toEqual({ email: 'jana@example.lv', phone: '+37126123456' });
    expect(parseContact('tel. 26123456 un e-pasts: jana@example.lv')).toEqual({ email: 'jana@example.lv', phone: '+37126123456' });
  });

  it('reads the address and number out of a sentence, in the usual Latvian spellings', () => {
    expect(parseContact('mans e-pasts ir anna@example.com')).toEqual({ email: 'anna@example.com' });
    expect(parseContact('My email is <Anna@Example.com>.')).toEqual({ email: 'anna@example.com' });
    expect(parseContact('mans tālrunis ir 26 12 34 56')).toEqual({ phone: '+37126123456' });
    expect(parseContact('zvaniet: (+371) 67-123-456')).toEqual({ phone: '+37167123456' });
    expect(parseContact('e-pasts:jana@example.lv, tālr. 00371 2612 3456')).toEqual({ email: 'jana@example.lv', phone: '+37126123456' });
  });

  it('takes internationalised addresses (RFC 6531)', () => {
    expect(parseContact('jānis@piemērs.lv')).toEqual({ email: 'jānis@piemērs.lv' });
    expect(parseEmail('JĀNIS@PIEMĒRS.LV')).toBe('jānis@piemērs.lv');
    for (const s of ['jānis@piemērs', 'jā nis@piemērs.lv', '.jānis@piemērs.lv', 'jā..nis@piemērs.lv']) expect(parseEmail(s)).toBeNull();
  });

  it('refuses junk and half-valid input', () => {
    for (const s of [
      '',
      'sveiki',
      'jana@example',
      'jana@example.lv 123',
      'a@b.lv c@d.lv',
      '26123456 vai 67123456',
      'jana@@example.lv',
      '🙂🙂',
      'x'.repeat(1000),
    ])
      expect(parseContact(s)).toBeNull();
  });

  it('never throws on any input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 500, unit: 'binary' }), (s) => void parseContact(s)),
      { numRuns: 2000 },
    );
  });
});

describe('names', () => {
  it('accepts names with Latvian letters, hyphens and apostrophes', () => {
    for (const n of ['Jana Bērziņa', 'Anna-Marija Ozoliņa', "D'Artagnan Smith", 'Ēriks Šķēle']) expect(parseName(n)).toBe(n);
    expect(parseName('  Jana   Bērziņa ')).toBe('Jana Bērziņa');
  });

  it('refuses one word, digits, e-mails, questions, one letter and very long input', () => {
    for (const n of ['Jānis', 'GDPR', 'J', 'Jana 2', 'jana@example.lv', 'kā dzēst manus datus?', 'a b c d e f g', 'x'.repeat(101), '🙂'])
      expect(parseName(n)).toBeNull();
  });

  it('never throws; accepted names have no digits and at most 100 characters', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300, unit: 'grapheme' }), (s) => {
        const out = parseName(s);
        if (out !== null) {
          expect(out.length).toBeLessThanOrEqual(100);
          expect(out).not.toMatch(/\d/);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('details', () => {
  it('refuses a Latvian personal code in any usual spelling', () => {
    for (const s of ['mans p.k. 010190-12345', 'kods 01019012345', '320190-12345', 'pk: 311299 - 12345']) {
      expect(containsPersonalCode(s)).toBe(true);
      expect(checkDetails(s)).toEqual({ ok: false, reason: 'personalCode' });
    }
  });

  it('does not mistake phone numbers, years or amounts for personal codes', () => {
    for (const s of ['zvaniet +371 26123456', 'līgums nr. 2024-12345', '37126123456', 'no 2019. gada līdz 2023. gadam', '999999-12345'])
      expect(containsPersonalCode(s)).toBe(false);
  });

  it('bounds the length', () => {
    expect(checkDetails('a'.repeat(1000))).toEqual({ ok: true, value: 'a'.repeat(1000) });
    expect(checkDetails('a'.repeat(1001))).toEqual({ ok: false, reason: 'tooLong' });
  });

  it('finds any generated old-format personal code inside surrounding text', () => {
    const code = fc.tuple(
      fc.integer({ min: 1, max: 31 }),
      fc.integer({ min: 1, max: 12 }),
      fc.integer({ min: 0, max: 99 }),
      fc.integer({ min: 0, max: 99999 }),
    );
    const pad = (n: number, w: number) => String(n).padStart(w, '0');
    fc.assert(
      fc.property(
        code,
        fc.string({ maxLength: 50 }).map((s) => s.replace(/\d/g, '')),
        fc.boolean(),
        ([d, m, y, n], around, dash) => {
          const pk = `${pad(d, 2)}${pad(m, 2)}${pad(y, 2)}${dash ? '-' : ''}${pad(n, 5)}`;
          expect(containsPersonalCode(`${around} ${pk} ${around}`)).toBe(true);
        },
      ),
    );
  });
});

describe('due date: one calendar month (GDPR Art. 12(3))', () => {
  it('adds a month, falling back to the last day of a shorter month', () => {
    expect(addCalendarMonth(new Date('2026-11-25T14:00:00Z')).toISOString()).toBe('2026-12-25T14:00:00.000Z');
    expect(addCalendarMonth(new Date('2026-12-31T10:00:00Z')).toISOString()).toBe('2027-01-31T10:00:00.000Z');
    expect(addCalendarMonth(new Date('2027-01-31T10:00:00Z')).toISOString()).toBe('2027-02-28T10:00:00.000Z');
    expect(addCalendarMonth(new Date('2028-01-30T10:00:00Z')).toISOString()).toBe('2028-02-29T10:00:00.000Z');
  });

  it('is always 28-31 days later and keeps the time of day', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }), (d) => {
        const due = addCalendarMonth(d);
        const days = (due.getTime() - d.getTime()) / 86_400_000;
        expect(days).toBeGreaterThanOrEqual(28);
        expect(days).toBeLessThanOrEqual(31);
        expect(due.getUTCHours()).toBe(d.getUTCHours());
      }),
    );
  });
});
