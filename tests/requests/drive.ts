import type { Right } from '../../src/answers/schema.js';
import type { Core } from '../../src/core/bot.js';
import type { Reply } from '../../src/core/types.js';

/** Test drivers for the request flow through the core (as the web channel would call it). */

export { until } from '../helpers/wait.js';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A sender that records what the outbox pushes, per chat; `failing` chats refuse that many pushes first. */
export function recordingSender(core: Core, failing = new Map<string, number>()): Map<string, Reply[]> {
  const pushed = new Map<string, Reply[]>();
  core.registerSender('web', {
    async send(chatId, replies) {
      const fails = failing.get(chatId) ?? 0;
      if (fails > 0) {
        failing.set(chatId, fails - 1);
        throw new Error('channel unavailable');
      }
      pushed.set(chatId, [...(pushed.get(chatId) ?? []), ...replies]);
    },
  });
  return pushed;
}

export function say(
  core: Core,
  user: string,
  m: { text?: string; button?: string; unsupported?: string },
  locale = 'en',
): Promise<Reply[]> {
  return core.handle({ channel: 'web', userId: user, chatId: `chat-${user}`, locale, ...m });
}

/** Files a complete request through the flow; returns its outbox id. */
export async function fileRequest(core: Core, user: string, right: Right = 'erasure', locale = 'en'): Promise<string> {
  await say(core, user, { text: '/rights' }, locale);
  await say(core, user, { button: `rq:right:${right}` }, locale);
  await say(core, user, { text: 'Jana Bērziņa' }, locale);
  await say(core, user, { text: 'jana@example.lv +371 2612 3456' }, locale);
  await say(core, user, { button: 'rq:skip' }, locale);
  await say(core, user, { button: 'rq:confirm' }, locale);
  const session = await core.sessions.get(`web:${user}`);
  const id = session?.requestIds.at(-1);
  if (!id) throw new Error('no request recorded');
  return id;
}
