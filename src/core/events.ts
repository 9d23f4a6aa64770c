import { EventEmitter } from 'node:events';
import type { Right } from '../domain.js';
import type { Channel, Lang } from './types.js';

/**
 * What happened, for metrics, staff notices and stats. Payloads carry ids and counts, never
 * personal data. Features add their events here.
 */
export interface CoreEvents {
  message: [{ channel: Channel; ms: number }];
  answered: [{ channel: Channel; entryId: string; lang: Lang }];
  fallback: [{ channel: Channel; lang: Lang }];
  /** A question the policy did not answer: a fallback, or only "did you mean" suggestions. */
  unanswered: [{ channel: Channel; lang: Lang }];
  forgotten: [{ channel: Channel }];
  /** Rights requests (src/requests): `id` is the local outbox id, `ref` the company's reference. */
  'request.created': [{ id: string; type: Right; channel: Channel; dueAt: string }];
  'request.accepted': [{ id: string; type: Right; channel: Channel; ref: string; dueAt: string }];
  'request.rejected': [{ id: string; type: Right; channel: Channel; status: number; code: string }];
  'request.retry': [{ id: string; attempt: number; reason: string }];
  /** A message refused by the per-user rate limit (src/ops). */
  'rate.limited': [{ channel: Channel }];
  /** A platform refused a message for good or for now (`reason` is the adapter's class, e.g. Meta's `window`, `token`). */
  'delivery.failed': [{ channel: Channel; reason: string }];
  /** Escalation (src/escalation): a customer asked for a human. */
  'escalation.opened': [{ channel: Channel; ticketId: string }];
}

export class CoreEmitter extends EventEmitter<CoreEvents> {}
