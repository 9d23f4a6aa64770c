import type { Ticket } from './tickets.js';

/** What the customer side adds to a ticket's thread. */
export type DeskNote =
  | { kind: 'customer'; text: string }
  /** A sticker, photo or voice message: only its kind is passed on. */
  | { kind: 'unsupported'; what: string }
  /** The customer used /forget: the conversation is closed and erased; `kept` of the customer's thread messages could not be deleted. */
  | { kind: 'forgotten'; kept?: number }
  /** The customer ended the hand-off themselves. */
  | { kind: 'left' }
  /**
   * The channel will not take our message (Meta): `window` more than 24 hours since the customer
   * wrote, `unavailable` they turned messages off, `reengaged` WhatsApp got the approved template
   * and the agent's message waits for the customer's answer.
   */
  | { kind: 'unreachable'; reason: 'window' | 'unavailable' | 'reengaged'; channel: string };

/** A rights request as staff see it: no personal data. */
export type RequestNotice =
  | { kind: 'created'; id: string; type: string; dueAt: string }
  /** The request API refused it (4xx): staff follow up with the customer. */
  | { kind: 'rejected'; id: string; type: string; status: number; code: string };

/** The staff side of escalation (Slack). Methods throw when the desk is unreachable; the relay retries. */
export interface Desk {
  postTicket(ticket: Ticket): Promise<{ channel: string; ts: string }>;
  updateTicket(ticket: Ticket): Promise<void>;
  /** Returns the posted message's ts. */
  postToThread(ticket: Ticket, note: DeskNote): Promise<string | undefined>;
  /** Deletes messages the bot posted in the ticket's thread; returns the ts it could not delete. */
  deletePosts(ticket: Pick<Ticket, 'desk'>, posts: string[]): Promise<string[]>;
  announceRequest(request: RequestNotice): Promise<void>;
}
