import type { App } from '../app.js';
import { errorInfo } from '../core/bot.js';
import { Escalation } from './escalation.js';
import { Stats } from './stats.js';
import type { RequestNotice } from './desk.js';

export type { Desk, DeskNote, RequestNotice } from './desk.js';
export type { Ticket } from './tickets.js';
export { Escalation } from './escalation.js';
export { Stats } from './stats.js';

interface Installed {
  escalation: Escalation;
  stats: Stats;
}

const installed = new WeakMap<App, Installed>();

/** The escalation of an app, for the Slack adapter (it attaches itself as the desk). */
export function escalationOf(app: App): Installed | undefined {
  return installed.get(app);
}

/**
 * Human hand-over. A core middleware placed before requests and conversation: while a ticket is
 * open, the customer's messages go to the agent and the bot stays quiet.
 */
export function installEscalation(app: App): Escalation {
  const escalation = new Escalation(app);
  const stats = new Stats(app.store.kv('stats'), app.config.SUPPORT_TIMEZONE);
  installed.set(app, { escalation, stats });
  app.core.use(escalation.middleware);
  app.core.onForget(async (_key, session) => {
    if (session.ticketId) await escalation.forget(session.ticketId);
  });
  app.core.events.on('answered', () => stats.count('answered'));
  app.core.events.on('unanswered', () => stats.count('unanswered'));
  app.core.events.on('escalation.opened', () => stats.count('escalations'));
  const announce = (notice: RequestNotice) =>
    escalation.announceRequest(notice).catch((err: unknown) => app.log.error({ err: errorInfo(err), requestId: notice.id }, 'request announcement not queued'));
  app.core.events.on('request.created', ({ id, type, dueAt }) => void announce({ kind: 'created', id, type, dueAt }));
  app.core.events.on('request.rejected', ({ id, type, status, code }) => void announce({ kind: 'rejected', id, type, status, code }));
  app.services.push({
    name: 'escalation',
    start: () => stats.start(),
    stop: () => stats.stop(),
  });
  return escalation;
}
