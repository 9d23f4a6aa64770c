import { Hono } from 'hono';
import Keyv from 'keyv';
import { Core } from '../../src/core/bot.js';
import { type Feature, mountFeatures } from '../../src/core/feature.js';
import type { Session } from '../../src/core/session.js';
import type { Incoming } from '../../src/core/types.js';
import type { Lang } from '../../src/domain.js';
import { createI18n } from '../../src/i18n/index.js';
import { createLogger } from '../../src/log/logger.js';

/**
 * The unit tier's harness: a real Core with sessions in an in-memory Keyv and only the given
 * features mounted, the way src/app.ts mounts them; no store, no channels, no app.
 */
export function coreWith(features: Feature[], opts: { defaultLang?: Lang } = {}) {
  const sessions = new Keyv<Session>();
  const core = new Core({
    i18n: createI18n(),
    sessions,
    tombstones: new Keyv<string>(),
    log: createLogger('silent'),
    defaultLang: opts.defaultLang ?? 'en',
  });
  const http = new Hono();
  const mounted = mountFeatures(core, http, features);
  /** One message from `user` on the web channel; resolves to the texts of the replies. */
  const say = async (text: string, user = 'u1', extra: Partial<Incoming> = {}) =>
    (await core.handle({ channel: 'web', userId: user, chatId: user, text, ...extra })).map((r) => r.text);
  return { core, http, sessions, say, ...mounted };
}
