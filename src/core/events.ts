import { EventEmitter } from 'node:events';
import type { Channel, Lang } from './types.js';

/**
 * What happened, for metrics, staff notices and stats. Payloads carry ids and counts, never
 * personal data. Features add their events here.
 */
export interface CoreEvents {
  message: [{ channel: Channel; ms: number }];
  answered: [{ channel: Channel; entryId: string; lang: Lang }];
  fallback: [{ channel: Channel; lang: Lang }];
  forgotten: [{ channel: Channel }];
}

export class CoreEmitter extends EventEmitter<CoreEvents> {}
