/**
 * The words every part of Thunder shares: the languages it speaks and the GDPR rights a customer
 * can exercise. The core, the answer engine and the features import them from here.
 */

export const LANGS = ['lv', 'en'] as const;
export type Lang = (typeof LANGS)[number];

export const RIGHTS = ['access', 'rectification', 'erasure', 'restriction', 'objection', 'portability', 'consent'] as const;
export type Right = (typeof RIGHTS)[number];

export const DAY_MS = 24 * 60 * 60 * 1000;

