import type { Space } from '../../state/port.js';
import { z } from 'zod';
import { LANGS, type Lang } from '../../domain.js';
import { KeyedQueue } from '../../core/queue.js';
import type { Reply } from '../../core/types.js';

/** At most this many pushed messages wait per visitor; older ones were long seen or are stale. */
const INBOX_LIMIT = 50;

const replySchema = z.object({
  text: z.string(),
  section: z.string().optional(),
  /** Language of the cited section's title, so the page words the citation to match. */
  sectionLang: z.enum(LANGS).optional(),
  /** `icon`: a rating button, drawn as a thumb. */
  buttons: z.array(z.array(z.object({ label: z.string(), data: z.string(), icon: z.enum(['up', 'down']).optional() }))).optional(),
  /** What the bot waits for next (name, contact, details): the page words its placeholder to match. */
  input: z.string().optional(),
  /** The longest answer the awaited step takes: the page's input and counter follow it. */
  maxChars: z.number().int().positive().optional(),
});
const messageSchema = z.object({ id: z.number().int().positive(), at: z.number(), replies: z.array(replySchema) });
const inboxSchema = z.object({ seq: z.number().int().nonnegative(), messages: z.array(messageSchema) });

export type WebReply = z.infer<typeof replySchema>;
export type PushedMessage = z.infer<typeof messageSchema>;
export type InboxData = z.infer<typeof inboxSchema>;

/**
 * What the page renders: text, citation and buttons; staff-only quotes stay on the server.
 * `langOfSection` tells which language a section title is in.
 */
export function webReplies(langOfSection: (title: string) => Lang | undefined): (r: Reply) => WebReply {
  return (r) => {
    const out: WebReply = { text: r.text };
    if (r.section) {
      out.section = r.section;
      const lang = langOfSection(r.section);
      if (lang) out.sectionLang = lang;
    }
    if (r.buttons?.length)
      out.buttons = r.buttons.map((row) => row.map((b) => ({ label: b.label, data: b.data, ...(b.icon && { icon: b.icon }) })));
    if (r.input) out.input = r.input;
    if (r.maxChars) out.maxChars = r.maxChars;
    return out;
  };
}

/**
 * Messages pushed to a web visitor outside a turn (agent replies, request updates), kept in the
 * store so any instance can serve the page's poll; the store's TTL bounds how long they stay.
 */
export class Inbox {
  /** Appends on one instance never interleave; across instances pushes for one visitor are rare. */
  private readonly queue = new KeyedQueue();

  constructor(
    private readonly kv: Space<InboxData>,
    private readonly toWeb: (r: Reply) => WebReply,
  ) {}

  append(sessionId: string, replies: Reply[]): Promise<void> {
    return this.queue.run(sessionId, async () => {
      const box = await this.read(sessionId);
      box.seq += 1;
      box.messages.push({ id: box.seq, at: Date.now(), replies: replies.map(this.toWeb) });
      box.messages = box.messages.slice(-INBOX_LIMIT);
      await this.kv.set(sessionId, box);
    });
  }

  async after(sessionId: string, after: number): Promise<PushedMessage[]> {
    return (await this.read(sessionId)).messages.filter((m) => m.id > after);
  }

  async erase(sessionId: string): Promise<void> {
    await this.kv.delete(sessionId);
  }

  private async read(sessionId: string): Promise<InboxData> {
    const parsed = inboxSchema.safeParse(await this.kv.get(sessionId));
    return parsed.success ? parsed.data : { seq: 0, messages: [] };
  }
}
