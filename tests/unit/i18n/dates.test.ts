import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMoment, formatWhen } from '../../../src/i18n/dates.js';

const RIGA = 'Europe/Riga';

describe('a moment inside a Latvian sentence', () => {
  it('puts the weekday and the month in the locative, with "plkst." and a dotted time', () => {
    // Saturday 12 December 2026, 10:00 in Riga (08:00 UTC).
    const at = Date.UTC(2026, 11, 12, 8, 0);
    expect(formatMoment(at, 'lv', RIGA)).toBe('sestdiena, 12. decembris 10:00');
    expect(formatWhen(at, 'lv', RIGA)).toBe('sestdien, 12. decembrī, plkst. 10.00');
    expect(formatWhen(Date.UTC(2026, 2, 3, 7, 5), 'lv', RIGA)).toBe('otrdien, 3. martā, plkst. 09.05');
    expect(formatWhen(Date.UTC(2026, 4, 3, 7, 5), 'lv', RIGA)).toBe('svētdien, 3. maijā, plkst. 10.05');
    expect(formatWhen(Date.UTC(2026, 3, 3, 7, 5), 'lv', RIGA)).toBe('piektdien, 3. aprīlī, plkst. 10.05');
    // English reads the same inside a sentence as alone.
    expect(formatWhen(at, 'en', RIGA)).toBe(formatMoment(at, 'en', RIGA));
  });

  it('every moment of the year reads as a locative weekday and month (property)', () => {
    const weekdays = ['pirmdien', 'otrdien', 'trešdien', 'ceturtdien', 'piektdien', 'sestdien', 'svētdien'];
    const months = [
      'janvārī',
      'februārī',
      'martā',
      'aprīlī',
      'maijā',
      'jūnijā',
      'jūlijā',
      'augustā',
      'septembrī',
      'oktobrī',
      'novembrī',
      'decembrī',
    ];
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2035, 0, 1) }), (at) => {
        const m = /^(\p{L}+), (\d{1,2})\. (\p{L}+), plkst\. (\d{2})\.(\d{2})$/u.exec(formatWhen(at, 'lv', RIGA));
        expect(m).not.toBeNull();
        expect(weekdays).toContain(m![1]);
        expect(months).toContain(m![3]);
      }),
    );
  });
});
