import { EventEmitter } from 'node:events';
import type { Channel } from './types.js';

/**
 * What happened, for metrics, staff notices and stats. Payloads carry ids and counts, never
 * personal data. The core declares its own events; each feature adds its events by declaration
 * merging next to the code that emits them:
 *
 *     declare module '../core/events.js' {
 *       interface CoreEvents { 'escalation.opened': [{ channel: Channel; ticketId: string }] }
 *     }
 */
export interface CoreEvents {
  message: [{ channel: Channel; ms: number }];
  forgotten: [{ channel: Channel }];
  /** A platform refused a message for good or for now (`reason` is the adapter's class, e.g. Meta's `window`, `token`). */
  'delivery.failed': [{ channel: Channel; reason: string }];
}

export class CoreEmitter extends EventEmitter<CoreEvents> {}
