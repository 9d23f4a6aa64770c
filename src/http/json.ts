import type { IncomingMessage } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { z } from 'zod';
import type { HttpErrorCode } from '../core/errors.js';

/** Error body of every JSON API: a stable code, a readable message, and the fields at fault. */
export interface ApiError {
  error: { code: HttpErrorCode; message: string; issues?: { path: string; message: string }[] };
}

export function apiError(
  c: Context,
  status: 400 | 404 | 413 | 415 | 429 | 500 | 503,
  code: HttpErrorCode,
  message: string,
  issues?: ApiError['error']['issues'],
) {
  const body: ApiError = { error: issues ? { code, message, issues } : { code, message } };
  return c.json(body, status);
}

/**
 * Refuses bodies over `maxBytes` with 413 before they are buffered. A request without a body, or
 * whose Content-Length tells the size, is decided on its headers: asking Hono for the body stream
 * would turn the Node request into a web Request with a ReadableStream, a tenth of a chat
 * message's CPU (--cpu-prof). Only a chunked body is counted as it streams in (Hono's bodyLimit).
 */
export function limitBody(maxBytes: number): MiddlewareHandler {
  const tooLarge = (c: Context) => {
    // The unread rest of the body makes the connection unusable for a next request.
    c.header('connection', 'close');
    return apiError(c, 413, 'payload_too_large', `Request body is larger than ${maxBytes} bytes`);
  };
  const streamed = bodyLimit({ maxSize: maxBytes, onError: tooLarge });
  return async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const length = c.req.header('content-length');
    if (length === undefined || c.req.header('transfer-encoding') !== undefined) return streamed(c, next);
    return Number.parseInt(length, 10) > maxBytes ? tooLarge(c) : next();
  };
}

const utf8 = new TextDecoder();

/**
 * The body as text. Under @hono/node-server it is read straight from Node's request while nothing
 * has read it yet (no web stream built for it); otherwise (a chunked body the limit buffered, tests'
 * app.request) through Hono. Decoded like Request.text(): UTF-8, a leading BOM dropped.
 */
async function bodyText(c: Context): Promise<string> {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (!incoming || incoming.readableDidRead) return c.req.text();
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  return utf8.decode(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
}

export type Parsed<T> = { ok: true; data: T } | { ok: false; res: Response };

/** Reads a JSON body and validates it with zod; a bad body becomes a 400 that names the fields. */
export async function readJson<S extends z.ZodType>(c: Context, schema: S, { optional = false } = {}): Promise<Parsed<z.infer<S>>> {
  const type = c.req.header('content-type') ?? '';
  const raw = await bodyText(c);
  if (raw.trim() === '' && optional) return validate(c, schema, {});
  if (!/^application\/json\b/i.test(type)) {
    return { ok: false, res: apiError(c, 415, 'unsupported_media_type', 'Send the body as application/json') };
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { ok: false, res: apiError(c, 400, 'invalid_json', 'The body is not valid JSON') };
  }
  return validate(c, schema, value);
}

export function validate<S extends z.ZodType>(c: Context, schema: S, value: unknown): Parsed<z.infer<S>> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: true, data: parsed.data };
  const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(body)', message: i.message }));
  return { ok: false, res: apiError(c, 400, 'validation_failed', 'The request is not valid', issues) };
}
