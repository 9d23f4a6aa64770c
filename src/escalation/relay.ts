import type { Queue } from '../state/queue.js';

export type Handler = (data: unknown) => Promise<void>;

const KIND = 'relay.';

/**
 * Relayed messages (Slack thread ↔ customer) on the app's durable job queue: one group per
 * conversation side (`desk:T-…`, `customer:T-…`), so they arrive in order; the queue's leases let
 * any instance take over a dead one's messages. Channels and the desk classify their platform's
 * errors (`retryable`, `retryAfterMs`); the queue drops what can never be delivered.
 */
export class Relay {
  constructor(
    readonly queue: Queue,
    private readonly delays: { baseDelayMs?: number; maxDelayMs?: number } = {},
  ) {}

  on(kind: string, handler: Handler): void {
    this.queue.define(`${KIND}${kind}`, { handle: handler, ...this.delays });
  }

  async enqueue(queue: string, kind: string, data: unknown): Promise<void> {
    await this.queue.add(`${KIND}${kind}`, data, { group: queue });
  }

  /** Drops the queued jobs of the given queues (the customer used /forget). */
  drop(queues: string[]): Promise<number> {
    return this.queue.dropGroups(queues);
  }

  pending(): Promise<number> {
    return this.queue.pending(KIND);
  }
}
