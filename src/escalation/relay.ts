import type { Queue } from '../state/queue.js';

export type Handler = (data: unknown) => Promise<void>;

/** A failure that retrying cannot fix (the chat is gone, the ticket no longer exists). */
export class PermanentError extends Error {
  override name = 'PermanentError';
}

const KIND = 'relay.';

/**
 * Relayed messages (Slack thread ↔ customer) on the app's durable job queue: one group per
 * conversation side (`desk:T-…`, `customer:T-…`), so they arrive in order; the queue's leases let
 * any instance take over a dead one's messages.
 */
export class Relay {
  constructor(
    readonly queue: Queue,
    private readonly delays: { baseDelayMs?: number; maxDelayMs?: number } = {},
  ) {}

  on(kind: string, handler: Handler): void {
    this.queue.define(`${KIND}${kind}`, { handle: handler, permanent: isPermanent, retryAfterMs, ...this.delays });
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

const TRANSIENT_SLACK = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'team_added_to_org']);

/** Client errors the platform will keep refusing: a blocked bot, a deleted chat, a missing channel. */
export function isPermanent(err: unknown): boolean {
  if (err instanceof PermanentError) return true;
  const e = err as { error_code?: unknown; code?: unknown; data?: { error?: unknown } };
  if (typeof e?.error_code === 'number') return e.error_code >= 400 && e.error_code < 500 && e.error_code !== 429;
  if (e?.code === 'slack_webapi_platform_error') return !TRANSIENT_SLACK.has(String(e.data?.error));
  return false;
}

/** The platform's own "retry after" (Telegram 429 `parameters.retry_after`, Slack `retryAfter`), in ms. */
function retryAfterMs(err: unknown): number {
  const e = err as { parameters?: { retry_after?: unknown }; retryAfter?: unknown };
  const seconds = Number(e?.parameters?.retry_after ?? e?.retryAfter ?? 0);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 0;
}
