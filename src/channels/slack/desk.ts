import { webApi } from '@slack/bolt';
import { DeliveryError } from '../../core/errors.js';
import type { Desk, DeskNote, RequestNotice, Ticket } from '../../escalation/index.js';
import type { TFunction } from '../../i18n/index.js';
import { noteText, requestNotice, ticketMessage } from './blocks.js';

export interface DeskOptions {
  client: webApi.WebClient;
  /** SLACK_SUPPORT_CHANNEL: a channel id or name. */
  channel: string;
  /** Staff-facing strings, in the default language. */
  t: TFunction;
  formatTime: (at: number) => string;
  formatDate: (iso: string) => string;
}

/** Platform errors Slack may not repeat; every other one (no such channel, not in channel) it will. */
const TRANSIENT = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'team_added_to_org']);

/** Slack's Web API errors as a DeliveryError, so the relay decides on `retryable` alone. */
export function deliveryError(err: unknown): unknown {
  const e = err as { code?: unknown; data?: { error?: unknown }; retryAfter?: unknown };
  if (e?.code === webApi.ErrorCode.PlatformError) {
    const error = String(e.data?.error);
    return new DeliveryError('slack', `Slack API error ${error}`, { retryable: TRANSIENT.has(error), cause: err });
  }
  if (e?.code === webApi.ErrorCode.RateLimitedError) {
    const seconds = Number(e.retryAfter);
    return new DeliveryError('slack', 'Slack rate limit', {
      retryable: true,
      retryAfterMs: seconds > 0 ? seconds * 1000 : undefined,
      cause: err,
    });
  }
  if (e?.code === webApi.ErrorCode.RequestError || e?.code === webApi.ErrorCode.HTTPError) {
    return new DeliveryError('slack', 'Slack API unreachable', { retryable: true, cause: err });
  }
  return err;
}

function platformError(err: unknown): string | undefined {
  const data = (err as { cause?: { data?: { error?: unknown } } })?.cause?.data;
  return typeof data?.error === 'string' ? data.error : undefined;
}

/** The support channel as escalation's desk: every call throws on failure so the relay retries it. */
export class SlackDesk implements Desk {
  constructor(private readonly o: DeskOptions) {}

  postTicket(ticket: Ticket): Promise<{ channel: string; ts: string }> {
    return this.call(async () => {
      const res = await this.o.client.chat.postMessage({ channel: this.o.channel, ...ticketMessage(this.o.t, ticket, this.o.formatTime) });
      if (!res.channel || !res.ts) throw new DeliveryError('slack', 'chat.postMessage returned no channel or ts', { retryable: true });
      return { channel: res.channel, ts: res.ts };
    });
  }

  updateTicket(ticket: Ticket): Promise<void> {
    const { desk } = ticket;
    if (!desk) return Promise.resolve();
    return this.call(async () => {
      await this.o.client.chat.update({ channel: desk.channel, ts: desk.ts, ...ticketMessage(this.o.t, ticket, this.o.formatTime) });
    });
  }

  postToThread(ticket: Ticket, note: DeskNote): Promise<string | undefined> {
    const { desk } = ticket;
    if (!desk) return Promise.resolve(undefined);
    return this.call(async () => {
      const res = await this.o.client.chat.postMessage({ channel: desk.channel, thread_ts: desk.ts, text: noteText(this.o.t, note) });
      return res.ts;
    });
  }

  async deletePosts(ticket: Pick<Ticket, 'desk'>, posts: string[]): Promise<string[]> {
    const { desk } = ticket;
    if (!desk) return posts;
    const kept: string[] = [];
    for (const ts of posts) {
      try {
        await this.call(() => this.o.client.chat.delete({ channel: desk.channel, ts }));
      } catch (err) {
        if (err instanceof DeliveryError && err.retryable) throw err;
        // Already gone is what we wanted; any other refusal (too old, not ours) leaves it there.
        if (platformError(err) !== 'message_not_found') kept.push(ts);
      }
    }
    return kept;
  }

  announceRequest(request: RequestNotice): Promise<void> {
    return this.call(async () => {
      await this.o.client.chat.postMessage({ channel: this.o.channel, ...requestNotice(this.o.t, request, this.o.formatDate) });
    });
  }

  private async call<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      throw deliveryError(err);
    }
  }
}
