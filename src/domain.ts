/**
 * The words every part of Thunder shares: the languages it speaks, the GDPR rights a customer can
 * exercise and what a message can be. The core, the answer engine and the features import them from here.
 */

export const LANGS = ['lv', 'en'] as const;
export type Lang = (typeof LANGS)[number];

export const RIGHTS = ['access', 'rectification', 'erasure', 'restriction', 'objection', 'portability', 'consent'] as const;
export type Right = (typeof RIGHTS)[number];

/**
 * What a message is: a policy question an entry answers, a wish to exercise a right now, a
 * conversation move (a person, my requests' status, greeting, thanks, help), a language Thunder
 * does not serve, or none of these (the fallback).
 */
export const INTENTS = ['policy', 'exercise', 'human', 'status', 'greeting', 'thanks', 'help', 'other_language', 'none'] as const;
export type Intent = (typeof INTENTS)[number];

export const DAY_MS = 24 * 60 * 60 * 1000;
