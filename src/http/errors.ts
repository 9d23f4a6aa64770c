import type { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Logger } from 'pino';
import { errorInfo } from '../core/errors.js';
import { apiError } from './json.js';

/**
 * The root server's last resort: an error no route handled is logged through pino (redacted, no
 * request body) instead of Hono's default console.error, and answered in the API's error shape.
 */
export function rootErrors(http: Hono, log: Logger): void {
  http.onError((err, c) => {
    if (err instanceof HTTPException) return err.getResponse();
    log.error({ err: errorInfo(err), method: c.req.method, path: c.req.path }, 'http request failed');
    return apiError(c, 500, 'internal', 'Something went wrong on our side');
  });
}
