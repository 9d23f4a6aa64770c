import { z } from 'zod';

export const MAX_TURNS = 10;

export const turnSchema = z.object({ from: z.enum(['user', 'bot']), text: z.string(), at: z.number() });

/** Per-user state; read back through zod because the store is a boundary (older versions, other instances). */
export const sessionSchema = z.object({
  lang: z.enum(['lv', 'en']).optional(),
  /** The user chose `lang` (button, /language): answers stay in it whatever language a question is in. */
  langChosen: z.boolean().default(false),
  /** Last turns of the conversation, for the human agent's context. */
  turns: z.array(turnSchema).default([]),
  /** Unanswered questions in a row; escalation is offered after two. */
  unanswered: z.number().int().nonnegative().default(0),
  /** An active multi-step conversation (e.g. a rights request); its owner validates `data`. */
  flow: z.object({ name: z.string(), step: z.string(), data: z.record(z.string(), z.unknown()) }).optional(),
  /** Open escalation ticket: while set, messages go to the human agent. */
  ticketId: z.string().optional(),
  /** Rights requests filed from this chat (ids in the outbox), for the status command. */
  requestIds: z.array(z.string()).default([]),
  /** Where the channel delivers pushed messages for this user. */
  chatId: z.string().optional(),
});

export type Turn = z.infer<typeof turnSchema>;
export type Session = z.infer<typeof sessionSchema>;

export function freshSession(): Session {
  return sessionSchema.parse({});
}

export function parseSession(raw: unknown): Session {
  const parsed = sessionSchema.safeParse(raw);
  return parsed.success ? parsed.data : freshSession();
}
