import { ErrorCode, ThunderError } from '../core/errors.js';

/** Support hours such as "1-5 09:00-17:00": ISO weekdays (1 = Monday) and local wall-clock times. */
export interface WeeklyHours {
  days: Set<number>;
  /** Minutes after local midnight. */
  open: number;
  close: number;
}

export interface SupportHours extends WeeklyHours {
  timeZone: string;
}

const SPEC = /^([1-7])-([1-7]) (\d{2}):(\d{2})-(\d{2}):(\d{2})$/;
const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** The one parser of SUPPORT_HOURS (the config's zod transform uses it): times 00:00-24:00, opening before closing. */
export function parseWeeklyHours(spec: string): WeeklyHours {
  const m = SPEC.exec(spec.trim());
  if (!m) throw new ThunderError(ErrorCode.ConfigInvalid, `bad support hours "${spec}": expected "1-5 09:00-17:00"`);
  const [from, to, oh, om, ch, cm] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const open = oh * 60 + om;
  const close = ch * 60 + cm;
  if (oh > 23 || om > 59 || cm > 59 || close > 24 * 60 || close <= open)
    throw new ThunderError(ErrorCode.ConfigInvalid, `bad support hours "${spec}": times out of range`);
  const days = new Set<number>();
  // A range may wrap over the week's end ("6-2" = Saturday to Tuesday).
  for (let d = from; ; d = (d % 7) + 1) {
    days.add(d);
    if (d === to) break;
  }
  return { days, open, close };
}

export function parseSupportHours(spec: string, timeZone: string): SupportHours {
  const weekly = parseWeeklyHours(spec);
  // Throws a RangeError on an unknown zone, at start-up rather than on the first escalation.
  new Intl.DateTimeFormat('en', { timeZone });
  return { ...weekly, timeZone };
}

interface Local {
  year: number;
  month: number;
  day: number;
  /** ISO weekday, 1 = Monday. */
  weekday: number;
  minutes: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function localParts(at: Date, timeZone: string): Local {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(at).map((x) => [x.type, x.value]));
  return {
    year: Number(p.year),
    month: Number(p.month),
    day: Number(p.day),
    weekday: WEEKDAYS.indexOf(String(p.weekday)) + 1,
    minutes: Number(p.hour) * 60 + Number(p.minute),
  };
}

export function isOpen(at: Date, hours: SupportHours): boolean {
  const l = localParts(at, hours.timeZone);
  return hours.days.has(l.weekday) && l.minutes >= hours.open && l.minutes < hours.close;
}

/** The UTC instant of a local wall-clock time in `timeZone`, DST included. */
function fromLocal(year: number, month: number, day: number, minutes: number, timeZone: string): Date {
  const wall = Date.UTC(year, month - 1, day, 0, minutes);
  let guess = wall;
  // Two rounds settle the zone offset, also across a DST change.
  for (let i = 0; i < 2; i++) {
    const l = localParts(new Date(guess), timeZone);
    const seen = Date.UTC(l.year, l.month - 1, l.day, 0, l.minutes);
    guess += wall - seen;
  }
  // A wall time that happens twice (the hour when DST ends) counts from its first occurrence.
  for (const back of [60, 30]) {
    const earlier = guess - back * 60_000;
    const l = localParts(new Date(earlier), timeZone);
    if (Date.UTC(l.year, l.month - 1, l.day, 0, l.minutes) === wall) return new Date(earlier);
  }
  return new Date(guess);
}

/** The next moment support opens after `at` (or `at` itself when it is open now). */
export function nextOpening(at: Date, hours: SupportHours): Date {
  if (isOpen(at, hours)) return at;
  const today = localParts(at, hours.timeZone);
  for (let d = 0; d <= 7; d++) {
    const date = new Date(Date.UTC(today.year, today.month - 1, today.day + d));
    const weekday = ((date.getUTCDay() + 6) % 7) + 1;
    if (!hours.days.has(weekday)) continue;
    const opening = fromLocal(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), hours.open, hours.timeZone);
    // On the night DST starts a window inside the skipped hour does not happen at all.
    if (opening.getTime() > at.getTime() && isOpen(opening, hours)) return opening;
  }
  throw new ThunderError(ErrorCode.ConfigInvalid, 'support hours have no opening day');
}
