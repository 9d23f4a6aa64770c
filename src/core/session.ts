import { z } from 'zod';
import { LANGS } from '../domain.js';

export const MAX_TURNS = 10;

export const turnSchema = z.object({ from: z.enum(['user', 'bot']), text: z.string(), at: z.number() });

/** What the core itself keeps per user; read back through zod because the store is a boundary (older versions, other instances). */
const coreSessionSchema = z.object({
  lang: z.enum(LANGS).optional(),
  /** Last turns of the conversation, for the human agent's context. */
  turns: z.array(turnSchema).default([]),
  /** Where the channel delivers pushed messages for this user. */
  chatId: z.string().optional(),
});

/**
 * The fields features keep in a user's session, empty in the core. A feature adds its own the
 * grammY "flavor" way, by declaration merging, and gives their zod shape as `Feature.session`:
 *
 *     declare module '../core/session.js' {
 *       interface SessionFields { ticketId?: string }
 *     }
 */
// biome-ignore lint/suspicious/noEmptyInterface: extended by each feature through declaration merging
export interface SessionFields {}

export type Turn = z.infer<typeof turnSchema>;
export type Session = z.infer<typeof coreSessionSchema> & SessionFields;

/** A feature's session fields: a zod object shape whose every field is optional or has a default. */
export type SessionShape = z.ZodRawShape;

/**
 * Reads sessions: the core's fields, then each feature's with the feature's own schema, so a field
 * one feature cannot read any more (another version's) resets only that feature's part.
 */
export class SessionCodec {
  private readonly parts: z.ZodObject[] = [];

  /** Adds a feature's fields (while features are mounted). */
  add(shape: SessionShape): void {
    this.parts.push(z.object(shape));
  }

  fresh(): Session {
    return this.parse(undefined);
  }

  parse(raw: unknown): Session {
    const base = coreSessionSchema.safeParse(raw);
    const session = base.success ? base.data : coreSessionSchema.parse({});
    const source = base.success ? raw : {};
    for (const part of this.parts) {
      const parsed = part.safeParse(source);
      Object.assign(session, parsed.success ? parsed.data : part.parse({}));
    }
    // Complete once every mounted feature's part is in.
    return session as Session;
  }
}
