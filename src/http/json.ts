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

/** Refuses bodies over `maxBytes` with 413 before they are buffered. */
export function limitBody(maxBytes: number): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    onError: (c) => {
      // The unread rest of the body makes the connection unusable for a next request.
      c.header('connection', 'close');
      return apiError(c, 413, 'payload_too_large', `Request body is larger than ${maxBytes} bytes`);
    },
  });
}

export type Parsed<T> = { ok: true; data: T } | { ok: false; res: Response };

/** Reads a JSON body and validates it with zod; a bad body becomes a 400 that names the fields. */
export async function readJson<S extends z.ZodType>(c: Context, schema: S, { optional = false } = {}): Promise<Parsed<z.infer<S>>> {
  const type = c.req.header('content-type') ?? '';
  const raw = await c.req.text();
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
