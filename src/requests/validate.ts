import { z } from 'zod';
import { emailSchema, MAX_DETAILS } from './contract.js';

/** Input checks for the request flow. Each returns a value or null and never throws (fuzzed). */

const MAX_INPUT = 300;

/** An e-mail address, also an internationalised one ("jānis@piemērs.lv"). */
export function parseEmail(input: string): string | null {
  const s = input.trim();
  if (s.length > MAX_INPUT) return null;
  const parsed = emailSchema.safeParse(s);
  return parsed.success ? parsed.data.toLowerCase() : null;
}

/**
 * Latvian numbers (8 digits starting 2, 6 or 8, with or without +371 / 00371, spaces, dashes,
 * dots or brackets) become +371XXXXXXXX; other numbers must be E.164 (+ and 7–15 digits).
 */
const phoneSchema = z
  .string()
  .max(MAX_INPUT)
  .transform((s) =>
    s
      .trim()
      .replace(/[\s().\-–]/g, '')
      .replace(/^00/, '+'),
  )
  .pipe(
    z.union([
      z
        .string()
        .regex(/^(?:\+?371)?[268]\d{7}$/)
        .transform((s) => `+371${s.slice(-8)}`),
      z.string().regex(/^\+(?!371)[1-9]\d{6,14}$/),
    ]),
  );

export function parsePhone(input: string): string | null {
  const parsed = phoneSchema.safeParse(input);
  return parsed.success ? parsed.data : null;
}

export interface Contact {
  email?: string;
  phone?: string;
}

/** A word with an @ in it, without the punctuation around it ("e-pasts:jana@example.lv." → the address). */
const EMAIL_LIKE = /[^\s@,;:<>()[\]"'„“”«»]+@[^\s@,;:<>()[\]"'„“”«»]*[^\s@,;:<>()[\]"'„“”«».!?]/gu;
/** Digits with the separators people write a number with ("+371 26 123 456", "(+371) 67-123-456"). */
const PHONE_LIKE = /\(?\+?\d[\d\s().\-–]*\d/g;

/**
 * "mans e-pasts ir jana@example.lv, tel. +371 2612 3456" → both: the address and the number are
 * read out of the sentence around them; one of each at most, and every one found must be valid.
 */
export function parseContact(input: string): Contact | null {
  if (input.length > MAX_INPUT) return null;
  const emails = input.match(EMAIL_LIKE) ?? [];
  const rest = input.replace(EMAIL_LIKE, ' ');
  if (emails.length > 1 || rest.includes('@')) return null;
  const phones = rest.match(PHONE_LIKE) ?? [];
  if (phones.length > 1) return null;
  const contact: Contact = {};
  if (emails[0] !== undefined) {
    const email = parseEmail(emails[0]);
    if (!email) return null;
    contact.email = email;
  }
  if (phones[0] !== undefined) {
    const phone = parsePhone(phones[0]);
    if (!phone) return null;
    contact.phone = phone;
  }
  return contact.email || contact.phone ? contact : null;
}

/** First and last name (up to five words: double names and surnames), letters only. */
export function parseName(input: string): string | null {
  const s = input.trim().replace(/\s+/g, ' ');
  if (s.length < 3 || s.length > 100) return null;
  const words = s.split(' ');
  if (words.length < 2 || words.length > 5) return null;
  return /^\p{L}[\p{L}\p{M}' .-]*$/u.test(s) && words.every((w) => /\p{L}/u.test(w)) ? s : null;
}

/** One word of letters: a first name without the last, say, which gets its own request. */
export function isOneWord(input: string): boolean {
  return /^\p{L}[\p{L}\p{M}'.-]*$/u.test(input.trim());
}

/** Latvian personas kods ddmmyy-nnnnn (old: a valid day and month; new since 2017: starts with 32). */
export function containsPersonalCode(input: string): boolean {
  for (const m of input.slice(0, MAX_DETAILS * 2).matchAll(/(?<!\d)(\d{2})(\d{2})\d{2}\s?[-–]?\s?\d{5}(?!\d)/g)) {
    const dd = Number(m[1]);
    const mm = Number(m[2]);
    if (m[1] === '32' || (dd >= 1 && dd <= 31 && mm >= 1 && mm <= 12)) return true;
  }
  return false;
}

export type DetailsCheck = { ok: true; value: string } | { ok: false; reason: 'tooLong' | 'personalCode' };

export function checkDetails(input: string): DetailsCheck {
  const s = input.trim();
  if (s.length > MAX_DETAILS) return { ok: false, reason: 'tooLong' };
  if (containsPersonalCode(s)) return { ok: false, reason: 'personalCode' };
  return { ok: true, value: s };
}
