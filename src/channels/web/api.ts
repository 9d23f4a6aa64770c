import { randomUUID } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { Core } from '../../core/bot.js';
import { errorInfo } from '../../core/errors.js';
import { apiError, limitBody, readJson, validate } from '../../http/json.js';
import type { Reply } from '../../core/types.js';
import { DAY_MS } from '../../domain.js';
import type { Space } from '../../state/port.js';
import type { Inbox, WebReply } from './inbox.js';

/** Roomy for 4,000 emoji (4 bytes each) plus JSON; anything bigger is refused unread. */
const MAX_BODY_BYTES = 32 * 1024;
export const MAX_TEXT_CHARS = 4000;
/** Refresh a visitor's expiry at most this often, not on every message. */
const TOUCH_MS = 60 * 60 * 1000;
/** A session nobody wrote in is dropped after a day, not kept for the whole TTL. */
const UNUSED_TTL_MS = DAY_MS;

const sessionId = z.uuid({ error: 'sessionId must be the id POST /api/chat/session returned' });
const locale = z
  .string()
  .max(35)
  .regex(/^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$/, 'locale must be a language tag like "lv" or "en-GB"');

const newSessionBody = z.object({ locale: locale.optional() }).strict();
const messageBody = z
  .object({
    sessionId,
    text: z
      .string()
      .max(MAX_TEXT_CHARS, `text must be at most ${MAX_TEXT_CHARS} characters`)
      .refine((t) => t.trim() !== '', 'text must not be empty')
      .optional(),
    button: z
      .string()
      .min(1)
      .refine((b) => Buffer.byteLength(b) <= 64, 'button must be at most 64 bytes')
      .optional(),
    locale: locale.optional(),
  })
  .strict()
  .refine((b) => (b.text === undefined) !== (b.button === undefined), 'send exactly one of text or button');
const pollQuery = z.object({
  sessionId,
  after: z.coerce.number({ error: 'after must be a whole number' }).int('after must be a whole number').nonnegative().default(0),
});

/** An issued visitor id: when it was last refreshed, whether it was used, the language hint it was opened with. */
const visitorSchema = z.object({ at: z.number(), active: z.boolean().default(false), locale: z.string().optional() });
export type Visitor = z.infer<typeof visitorSchema>;

export interface WebApiDeps {
  core: Pick<Core, 'handle' | 'langOf' | 'log'>;
  inbox: Inbox;
  toWeb(reply: Reply): WebReply;
  /** Issued visitor ids, so a page can tell an expired session from a live one. */
  visitors: Space<Visitor>;
  /** New sessions per client address (0: go ahead, else ms until the next is allowed). */
  newSessions: { take(address: string): number };
  clientAddress(c: Context): string;
}

/** The JSON API behind the chat page (documented in the README). */
export function webApi({ core, inbox, toWeb, visitors, newSessions, clientAddress }: WebApiDeps): Hono {
  const api = new Hono();
  api.use('*', limitBody(MAX_BODY_BYTES));
  api.use('*', async (c, next) => {
    // Set before the response exists: a header added to a finished response makes Hono rebuild it
    // as a web Response, streamed out on the slow path.
    c.header('cache-control', 'no-store');
    await next();
  });

  /** The visitor, its expiry pushed back to the full TTL when it writes (at most hourly). */
  async function visitor(id: string, writes: boolean): Promise<Visitor | undefined> {
    const parsed = visitorSchema.safeParse(await visitors.get(id));
    if (!parsed.success) return undefined;
    const v = parsed.data;
    if ((writes && !v.active) || (v.active && Date.now() - v.at > TOUCH_MS)) {
      await visitors.set(id, { ...v, active: true, at: Date.now() });
    }
    return v;
  }
  const expired = (c: Parameters<typeof apiError>[0]) =>
    apiError(c, 404, 'unknown_session', 'No such session (it may have expired): create a new one');

  api.post('/session', async (c) => {
    // Each message is limited per session, so sessions themselves are limited per address.
    const wait = newSessions.take(clientAddress(c));
    if (wait) {
      c.header('retry-after', String(Math.ceil(wait / 1000)));
      return apiError(c, 429, 'rate_limited', 'Too many new chats from this address: please try again in a moment');
    }
    const body = await readJson(c, newSessionBody, { optional: true });
    if (!body.ok) return body.res;
    const id = randomUUID();
    await visitors.set(id, { at: Date.now(), active: false, ...(body.data.locale && { locale: body.data.locale }) }, UNUSED_TTL_MS);
    return c.json({ sessionId: id, lang: core.langOf(body.data.locale), maxTextChars: MAX_TEXT_CHARS }, 201);
  });

  api.post('/messages', async (c) => {
    const body = await readJson(c, messageBody);
    if (!body.ok) return body.res;
    const { sessionId: id, text, button, locale: loc } = body.data;
    const v = await visitor(id, true);
    if (!v) return expired(c);
    const replies = await core.handle({ channel: 'web', userId: id, chatId: id, text, button, locale: loc ?? v.locale });
    return c.json({ replies: replies.map(toWeb) });
  });

  api.get('/messages', async (c) => {
    const query = validate(c, pollQuery, c.req.query());
    if (!query.ok) return query.res;
    if (!(await visitor(query.data.sessionId, false))) return expired(c);
    const messages = await inbox.after(query.data.sessionId, query.data.after);
    return c.json({ messages });
  });

  api.notFound((c) => apiError(c, 404, 'not_found', 'No such endpoint'));
  // A JSON answer the page can show, and a log line without the body.
  api.onError((err, c) => {
    core.log.error({ err: errorInfo(err), path: c.req.path }, 'web chat request failed');
    return apiError(c, 503, 'unavailable', 'Temporarily unavailable: please try again');
  });
  return api;
}
