import type { App } from '../../app.js';
import { webApi, type Visitor } from './api.js';
import { Inbox, webReplies } from './inbox.js';
import { webPage } from './page.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The web chat: the page on `/`, its JSON API on `/api/chat`, and a sender that keeps
 * out-of-turn messages (agent replies, request updates) until the page polls for them.
 */
export function installWeb(app: App): void {
  const ttl = app.config.STATE_TTL_DAYS * DAY_MS;
  const titles = new Map(app.engine.kb.sections.flatMap((s) => [[s.title.en, 'en' as const], [s.title.lv, 'lv' as const]]));
  const toWeb = webReplies((title) => titles.get(title));
  const inbox = new Inbox(app.store.kv('web-inbox', ttl), toWeb);
  const visitors = app.store.kv<Visitor>('web-visitor', ttl);
  const { core } = app;

  core.registerSender('web', { send: (chatId, replies) => inbox.append(chatId, replies) });
  core.onForget(async (key) => {
    if (key.startsWith('web:')) await inbox.erase(key.slice('web:'.length));
  });

  app.http.route('/api/chat', webApi({ core, inbox, toWeb, visitors }));
  app.http.route(
    '/',
    webPage({
      i18n: core.i18n,
      embedOrigins: app.config.WEB_EMBED_ORIGINS.split(' '),
      ttlDays: app.config.STATE_TTL_DAYS,
      langOf: (l) => core.langOf(l),
    }),
  );
  app.channels.push('web');
}
