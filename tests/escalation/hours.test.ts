import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { isOpen, nextOpening, parseSupportHours } from '../../src/escalation/hours.js';

const riga = parseSupportHours('1-5 09:00-17:00', 'Europe/Riga');

describe('support hours', () => {
  it('is open on a weekday inside the hours, in Riga time', () => {
    // Wednesday 25.11.2026, Riga is UTC+2 in winter.
    expect(isOpen(new Date('2026-11-25T07:00:00Z'), riga)).toBe(true);
    expect(isOpen(new Date('2026-11-25T14:59:00Z'), riga)).toBe(true);
    expect(isOpen(new Date('2026-11-25T06:59:00Z'), riga)).toBe(false);
    expect(isOpen(new Date('2026-11-25T15:00:00Z'), riga)).toBe(false);
    expect(isOpen(new Date('2026-11-28T10:00:00Z'), riga)).toBe(false);
  });

  it('gives now when open, the same morning before opening, the next day after closing', () => {
    const now = new Date('2026-11-25T10:00:00Z');
    expect(nextOpening(now, riga)).toEqual(now);
    expect(nextOpening(new Date('2026-11-25T05:00:00Z'), riga).toISOString()).toBe('2026-11-25T07:00:00.000Z');
    expect(nextOpening(new Date('2026-11-25T16:00:00Z'), riga).toISOString()).toBe('2026-11-26T07:00:00.000Z');
  });

  it('skips the weekend: Friday evening and Saturday point to Monday 09:00', () => {
    expect(nextOpening(new Date('2026-11-27T16:30:00Z'), riga).toISOString()).toBe('2026-11-30T07:00:00.000Z');
    expect(nextOpening(new Date('2026-11-28T12:00:00Z'), riga).toISOString()).toBe('2026-11-30T07:00:00.000Z');
  });

  it('follows the DST change (summer time is UTC+3)', () => {
    // Clocks go forward on Sunday 29.03.2026.
    expect(nextOpening(new Date('2026-03-28T12:00:00Z'), riga).toISOString()).toBe('2026-03-30T06:00:00.000Z');
    expect(nextOpening(new Date('2026-10-24T12:00:00Z'), riga).toISOString()).toBe('2026-10-26T07:00:00.000Z');
  });

  it('supports ranges over the end of the week and other zones', () => {
    const h = parseSupportHours('6-2 10:00-12:00', 'UTC');
    expect([...h.days].sort()).toEqual([1, 2, 6, 7]);
    // Wednesday 12:00 → Saturday 10:00.
    expect(nextOpening(new Date('2026-11-25T12:00:00Z'), h).toISOString()).toBe('2026-11-28T10:00:00.000Z');
  });

  it('refuses bad specs and unknown zones', () => {
    expect(() => parseSupportHours('1-5 17:00-09:00', 'UTC')).toThrow(/out of range/);
    expect(() => parseSupportHours('mon-fri', 'UTC')).toThrow(/expected/);
    expect(() => parseSupportHours('1-5 09:00-17:00', 'Mars/Olympus')).toThrow(RangeError);
  });

  it('the configuration refuses hours and zones the escalation could not use, naming the variable', () => {
    expect(() => loadConfig({ SUPPORT_HOURS: '1-5 17:00-09:00' })).toThrow(/SUPPORT_HOURS/);
    expect(() => loadConfig({ SUPPORT_HOURS: '1-5 09:00-24:30' })).toThrow(/SUPPORT_HOURS/);
    expect(() => loadConfig({ SUPPORT_TIMEZONE: 'Europe/Rīga' })).toThrow(/SUPPORT_TIMEZONE/);
    const ok = loadConfig({ SUPPORT_HOURS: '1-7 00:00-24:00', SUPPORT_TIMEZONE: 'America/New_York' });
    // Parsed once, in the config: the escalation takes the result as it is.
    expect(ok.SUPPORT_HOURS).toEqual({ days: new Set([1, 2, 3, 4, 5, 6, 7]), open: 0, close: 24 * 60 });
  });

  it('opens at the first 03:00 of the night DST ends in Riga (the hour happens twice)', () => {
    const hours = parseSupportHours('7-7 03:00-04:00', 'Europe/Riga');
    // Sunday 28 October 2029: 03:00 EEST is 00:00Z, and 03:00 EET an hour later.
    expect(nextOpening(new Date('2029-10-22T01:00:00Z'), hours).toISOString()).toBe('2029-10-28T00:00:00.000Z');
  });

  it('skips a window inside the hour DST skips in Riga', () => {
    const hours = parseSupportHours('1-7 03:00-04:00', 'Europe/Riga');
    // 31 March 2024 has no 03:00–04:00 in Riga: the next one is on 1 April, 03:00 EEST.
    expect(nextOpening(new Date('2024-03-30T21:47:00Z'), hours).toISOString()).toBe('2024-04-01T00:00:00.000Z');
  });

  it('next opening is always open, never in the past, and nothing opens earlier', () => {
    const zones = ['Europe/Riga', 'UTC', 'America/New_York', 'Asia/Kolkata'];
    const spec = fc.record({
      from: fc.integer({ min: 1, max: 7 }),
      to: fc.integer({ min: 1, max: 7 }),
      open: fc.integer({ min: 0, max: 22 }),
      len: fc.integer({ min: 1, max: 10 }),
      zone: fc.constantFrom(...zones),
      at: fc.date({ min: new Date('2024-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true }),
    });
    fc.assert(
      fc.property(spec, ({ from, to, open, len, zone, at }) => {
        const close = Math.min(open + len, 24);
        const pad = (n: number) => String(n).padStart(2, '0');
        const hours = parseSupportHours(`${from}-${to} ${pad(open)}:00-${pad(close)}:00`, zone);
        const next = nextOpening(at, hours);
        expect(next.getTime()).toBeGreaterThanOrEqual(at.getTime());
        expect(isOpen(next, hours)).toBe(true);
        // Sampled every 30 minutes: support is closed the whole time before the answer.
        for (let t = at.getTime(); t < next.getTime() - 60_000; t += 30 * 60_000) expect(isOpen(new Date(t), hours)).toBe(false);
      }),
      { numRuns: 200 },
    );
  });
});
