import { z } from 'zod';
import { errorInfo } from '../core/errors.js';
import type { Feature } from '../core/feature.js';
import type { Channel } from '../core/types.js';
import type { Space } from '../state/port.js';
import type { RequestNotice } from './desk.js';
import { Escalation, type EscalationDeps } from './escalation.js';
import { Stats } from './stats.js';

export type { Desk, DeskNote, RequestNotice } from './desk.js';
export type { Ticket } from './tickets.js';
export { Escalation } from './escalation.js';
export { Stats } from './stats.js';

declare module '../core/events.js' {
  interface CoreEvents {
    /** A customer asked for a human. */
    'escalation.opened': [{ channel: Channel; ticketId: string }];
  }
}

declare module '../core/session.js' {
  interface SessionFields {
    /** Open escalation ticket: while set, messages go to the human agent. */
    ticketId?: string;
  }
}

export interface EscalationOptions extends EscalationDeps {
  /** Daily counters for `/privacy stats`. */
  stats: Space<unknown>;
  /** Days of the stats counters are the company's days. */
  timeZone: string;
}

export interface EscalationFeature extends Feature {
  readonly escalation: Escalation;
  readonly stats: Stats;
}

/**
 * Human hand-over. Its middleware goes before requests and conversation: while a ticket is open,
 * the customer's messages go to the agent and the bot stays quiet.
 */
export function createEscalation(opts: EscalationOptions): EscalationFeature {
  const { events, log } = opts;
  const escalation = new Escalation(opts);
  const stats = new Stats(opts.stats, opts.timeZone);
  events.on('answered', () => stats.count('answered'));
  events.on('unanswered', () => stats.count('unanswered'));
  events.on('escalation.opened', () => stats.count('escalations'));
  const announce = (notice: RequestNotice) =>
    escalation
      .announceRequest(notice)
      .catch((err: unknown) => log.error({ err: errorInfo(err), requestId: notice.id }, 'request announcement not queued'));
  events.on('request.created', ({ id, type, dueAt }) => void announce({ kind: 'created', id, type, dueAt }));
  events.on('request.rejected', ({ id, type, status, code }) => void announce({ kind: 'rejected', id, type, status, code }));
  return {
    name: 'escalation',
    session: { ticketId: z.string().optional() },
    middleware: [escalation.middleware],
    onForget: async (_key, session) => {
      if (session.ticketId) await escalation.forget(session.ticketId);
    },
    services: [
      {
        name: 'escalation',
        start: () => stats.start(),
        stop: () => stats.stop(),
      },
    ],
    escalation,
    stats,
  };
}
