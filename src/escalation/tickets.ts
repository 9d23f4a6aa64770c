import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { turnSchema } from '../core/session.js';
import { CHANNELS } from '../core/types.js';
import type { Space } from '../state/port.js';

/** A ticket update takes milliseconds; the lock expires on its own if an instance dies holding it. */
const LOCK_MS = 5000;
/** A holder keeps a ticket for one read-change-write; waiting ~5 s covers a slow store. */
const LOCK_WAIT_MS = 5000;

const ticketSchema = z.object({
  id: z.string(),
  /** `channel:userId` of the customer (the core's session key). */
  key: z.string(),
  channel: z.enum(CHANNELS),
  chatId: z.string(),
  lang: z.enum(['lv', 'en']),
  status: z.enum(['open', 'claimed', 'resolved']),
  createdAt: z.number(),
  /** Opened outside support hours: the answer comes at `expectedAt`. */
  expectedAt: z.number().optional(),
  /** Where the ticket message is in Slack (known once it is posted). */
  desk: z.object({ channel: z.string(), ts: z.string() }).optional(),
  claimedBy: z.string().optional(),
  resolvedBy: z.string().optional(),
  /** When the customer last got the "passed on" notice (ms since the epoch; 0: never). */
  ackedAt: z.number().default(0),
  /** The customer ended the hand-off themselves (/leave or its button). */
  left: z.boolean().default(false),
  /** The thread messages the bot posted with the customer's words, so /forget can delete them. */
  posts: z.array(z.string()).default([]),
  /** The customer used /forget: the ticket message no longer shows the conversation. */
  erased: z.boolean().default(false),
  /** The last turns before the hand-over, shown to the agent; erased with /forget. */
  turns: z.array(turnSchema).default([]),
});

export type Ticket = z.infer<typeof ticketSchema>;

/** Short, unguessable, easy to read out on the phone. */
export function newTicketId(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  return `T-${[...randomBytes(6)].map((b) => alphabet[b % alphabet.length]).join('')}`;
}

/** Tickets by id, plus an index from the Slack thread to the ticket. */
export class Tickets {
  constructor(private readonly kv: Space<unknown>) {}

  async get(id: string): Promise<Ticket | undefined> {
    const parsed = ticketSchema.safeParse(await this.kv.get(`t:${id}`));
    return parsed.success ? parsed.data : undefined;
  }

  async save(ticket: Ticket): Promise<void> {
    await this.kv.set(`t:${ticket.id}`, ticket);
    if (ticket.desk) await this.kv.set(`thread:${ticket.desk.channel}:${ticket.desk.ts}`, ticket.id);
  }

  /** Tickets not yet resolved, store-wide (every instance reports the same). */
  async countOpen(): Promise<number> {
    let open = 0;
    for await (const [, value] of this.kv.iterator('t:')) {
      if (ticketSchema.safeParse(value).data?.status !== 'resolved') open += 1;
    }
    return open;
  }

  async byThread(channel: string, ts: string): Promise<Ticket | undefined> {
    const id = await this.kv.get(`thread:${channel}:${ts}`);
    return typeof id === 'string' ? this.get(id) : undefined;
  }

  /**
   * Applies `change` to the stored ticket under the ticket's lock (store-wide, owner-checked), so a
   * claim and a relayed message never overwrite each other's change; undefined when it is gone.
   */
  async update(id: string, change: (t: Ticket) => void): Promise<Ticket | undefined> {
    const lock = await this.kv.waitLock(`ticket:${id}`, LOCK_MS, LOCK_WAIT_MS);
    try {
      const ticket = await this.get(id);
      if (!ticket) return undefined;
      change(ticket);
      await this.save(ticket);
      return ticket;
    } finally {
      await lock.release();
    }
  }
}
