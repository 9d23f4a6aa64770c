import type { Space } from '../../state/port.js';
import type { Core } from '../../core/bot.js';
import type { Feature } from '../../core/feature.js';
import type { KnowledgeBase } from '../../answers/schema.js';
import { clientAddress } from '../../http/client.js';
import { RateLimiter } from '../../ops/ratelimit.js';
import { webApi, type Visitor } from './api.js';
import { Inbox, webReplies, type InboxData } from './inbox.js';
import { webPage } from './page.js';

export interface WebOptions {
  /** The core's turn, language choice, strings and log. */
  core: Pick<Core, 'handle' | 'langOf' | 'i18n' | 'log'>;
  kb: KnowledgeBase;
  inbox: Space<InboxData>;
  visitors: Space<Visitor>;
  /** CSP frame-ancestors: sites that may embed the chat. */
  embedOrigins: string[];
  ttlDays: number;
  /** New chat sessions per client address and minute (per instance). */
  sessionsPerMinute: number;
  /** Behind a reverse proxy: the client address is the last X-Forwarded-For entry. */
  trustProxy: boolean;
}

const SWEEP_MS = 60_000;

/**
 * The web chat: the page on `/`, its JSON API on `/api/chat`, and a sender that keeps
 * out-of-turn messages (agent replies, request updates) until the page polls for them.
 */
export function createWeb(opts: WebOptions): Feature {
  const { core } = opts;
  const titles = new Map(
    opts.kb.sections.flatMap((s) => [
      [s.title.en, 'en' as const],
      [s.title.lv, 'lv' as const],
    ]),
  );
  const toWeb = webReplies((title) => titles.get(title));
  const inbox = new Inbox(opts.inbox, toWeb);
  // In memory, per instance: no client address is ever written to the store.
  const newSessions = new RateLimiter(opts.sessionsPerMinute);
  let sweeper: NodeJS.Timeout | undefined;
  return {
    name: 'web',
    channel: 'web',
    senders: { web: { send: (chatId, replies) => inbox.append(chatId, replies) } },
    onForget: async (key) => {
      if (key.startsWith('web:')) await inbox.erase(key.slice('web:'.length));
    },
    services: [
      {
        name: 'web-session-limit',
        start: async () => {
          sweeper = setInterval(() => newSessions.sweep(), SWEEP_MS).unref();
        },
        stop: async () => clearInterval(sweeper),
      },
    ],
    routes: [
      {
        path: '/api/chat',
        routes: webApi({
          core,
          inbox,
          toWeb,
          visitors: opts.visitors,
          newSessions,
          clientAddress: (c) => clientAddress(c, opts.trustProxy),
        }),
      },
      {
        path: '/',
        routes: webPage({ i18n: core.i18n, embedOrigins: opts.embedOrigins, ttlDays: opts.ttlDays, langOf: (l) => core.langOf(l) }),
      },
    ],
  };
}
