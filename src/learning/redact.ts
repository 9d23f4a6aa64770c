import { truncate, words } from '../answers/normalize.js';

/*
 * Personal data out of a message before anything of it is kept for review (issue #15). Each kind
 * becomes a bracketed marker, so staff still see that the customer gave, say, a phone number. The
 * order matters: e-mails first (they hold digits), then IBANs, +371 numbers and cards (long,
 * checkable), then personal codes and other phones, and any long run of digits that is left.
 */

const MARKERS = ['email', 'iban', 'card', 'id', 'phone', 'number'] as const;
export type Marker = (typeof MARKERS)[number];

/** A marker as it stands in a redacted text; no pattern below matches one. */
const mark = (kind: Marker): string => `[${kind}]`;
const MARKER_RE = /\[(?:email|iban|card|id|phone|number)\]/g;

/** Letters (any script, with diacritics) and digits around one "@": "jānis.bērziņš@pasts.lv". */
const EMAIL = /[\p{L}\p{N}._%+'-]{1,64}@[\p{L}\p{N}-]{1,63}(?:\.[\p{L}\p{N}-]{1,63}){0,8}\.\p{L}{2,24}/gu;
/** Latvian IBANs exactly ("LV80 BANK 0000 4351 9500 1", any case), then any country's in capitals, grouped by four or not. */
const IBAN_LV = /\bLV\d{2}[ -]?[A-Z]{4}(?:[ -]?\d){13}\b/gi;
const IBAN = /\b[A-Z]{2}\d{2}(?:[ -]?[A-Z0-9]{4}){2,7}(?:[ -]?[A-Z0-9]{1,3})?\b/g;
/** 13–19 digits, maybe in groups: a card number when the Luhn check holds. */
const CARD = /(?<![\p{N}])\d(?:[ -]?\d){12,18}(?![\p{N}])/gu;
/** Latvian personal codes: DDMMYY-NNNNN (to mid-2017) and 32NNNN-NNNNN, with or without the hyphen. */
const PERSONAL_CODE = /(?<![\p{N}])\d{6}\s?[-‐‑–]?\s?\d{5}(?![\p{N}])/gu;
/** +371 / 00371 and 8 digits, or 8 digits starting 2, 6, 8 or 9 (Latvian numbering), in any usual grouping. */
const PHONE_LV = /(?:\+|00)\s?371[\s-]*\d(?:[\s-]?\d){7}(?![\p{N}])/gu;
/** Prices are not phones: "20 000 000 EUR". */
const PHONE = /(?<![\p{N}.,/])[2689]\d(?:[\s-]?\d){6}(?![\p{N}]|[.,/]\d|\s?(?:€|eur|eiro|euro))/giu;
/** What is left of long numbers: accounts, contracts, documents ("LV1234567"). Seven digits or more. */
const LONG_DIGITS = /\d{7,}/g;

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** Only IBANs whose check digits hold (ISO 13616 mod 97): "LV80" in a sentence about something else stays. */
function ibanValid(raw: string): boolean {
  const s = raw.replace(/[ -]/g, '').toUpperCase();
  const moved = s.slice(4) + s.slice(0, 4);
  let rest = 0;
  for (const ch of moved) {
    const v = ch >= 'A' ? String(ch.charCodeAt(0) - 55) : ch;
    for (const digit of v) rest = (rest * 10 + Number(digit)) % 97;
  }
  return rest === 1;
}

/**
 * The text with personal data replaced by markers; applied until nothing changes. Cut first where
 * the answer engine cuts (1,000 characters), which also bounds the patterns' work.
 */
export function redact(text: string): string {
  let out = truncate(text).normalize('NFC');
  for (let pass = 0; pass < 3; pass++) {
    const before = out;
    out = out
      .replace(EMAIL, mark('email'))
      .replace(IBAN_LV, mark('iban'))
      .replace(IBAN, (m) => (ibanValid(m) ? mark('iban') : m))
      .replace(PHONE_LV, mark('phone'))
      .replace(CARD, (m) => (luhn(m.replace(/\D/g, '')) ? mark('card') : m))
      .replace(PERSONAL_CODE, mark('id'))
      .replace(PHONE, mark('phone'))
      .replace(LONG_DIGITS, mark('number'));
    if (out === before) break;
  }
  return out;
}

/** Patterns that must never be found in anything kept: the last check before a write. */
const NEVER = [
  /@[\p{L}\p{N}-]+\.\p{L}{2,}/u,
  /(?:\+|00)\s?371/,
  /(?<![\p{N}])\d{6}\s?[-‐‑–]?\s?\d{5}(?![\p{N}])/u,
  /\d{7,}/,
  /\bLV\d{2}\s?[A-Z]{4}/i,
];

export function looksPersonal(text: string): boolean {
  return NEVER.some((re) => re.test(text));
}

/** Fewer real words than this after redaction, and nothing is kept. */
const MIN_WORDS = 2;
/** …nor with fewer letters than this. */
const MIN_LETTERS = 8;
const MAX_GAP_CHARS = 300;

/**
 * What may be kept of a message for review: redacted, cut to 300 characters at a word, and only
 * when enough of a question is left (not "[email] [phone]"). Undefined: keep nothing.
 */
export function keepable(text: string): string | undefined {
  const redacted = redact(text).replace(/\s+/g, ' ').trim();
  const left = words(withoutMarkers(redacted)).filter((w) => /\p{L}/u.test(w));
  if (left.length < MIN_WORDS || left.join('').replace(/\P{L}/gu, '').length < MIN_LETTERS) return undefined;
  const cut = redacted.length <= MAX_GAP_CHARS ? redacted : `${cutAtWord(redacted, MAX_GAP_CHARS - 1)}…`;
  return looksPersonal(cut) ? undefined : cut;
}

export function withoutMarkers(text: string): string {
  return text.replace(MARKER_RE, ' ');
}

function cutAtWord(text: string, max: number): string {
  const cut = text.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return space > max * 0.7 ? cut.slice(0, space) : cut;
}
