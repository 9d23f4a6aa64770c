import type { webApi } from '@slack/bolt';
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

/** The support channel as escalation's desk: every call throws on failure so the relay retries it. */
export class SlackDesk implements Desk {
  constructor(private readonly o: DeskOptions) {}

  async postTicket(ticket: Ticket): Promise<{ channel: string; ts: string }> {
    const res = await this.o.client.chat.postMessage({ channel: this.o.channel, ...ticketMessage(this.o.t, ticket, this.o.formatTime) });
    if (!res.channel || !res.ts) throw new Error('chat.postMessage returned no channel or ts');
    return { channel: res.channel, ts: res.ts };
  }

  async updateTicket(ticket: Ticket): Promise<void> {
    if (!ticket.desk) return;
    await this.o.client.chat.update({ channel: ticket.desk.channel, ts: ticket.desk.ts, ...ticketMessage(this.o.t, ticket, this.o.formatTime) });
  }

  async postToThread(ticket: Ticket, note: DeskNote): Promise<void> {
    if (!ticket.desk) return;
    await this.o.client.chat.postMessage({ channel: ticket.desk.channel, thread_ts: ticket.desk.ts, text: noteText(this.o.t, note) });
  }

  async announceRequest(request: RequestNotice): Promise<void> {
    await this.o.client.chat.postMessage({ channel: this.o.channel, ...requestNotice(this.o.t, request, this.o.formatDate) });
  }
}
