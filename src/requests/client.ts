import type { z } from 'zod';
import type { Logger } from '../log/logger.js';
import { createdSchema, errorSchema, requestStateSchema, type Created, type NewRequest, type RequestState } from './contract.js';

export interface ClientOptions {
  /** Base URL without the trailing /v1; resolved lazily because the embedded stand-in gets its port at start. */
  url: string | (() => string);
  token?: string | undefined;
  timeoutMs: number;
  log: Logger;
}

/**
 * retryable: the request may not have arrived (network, timeout, 5xx, 429, auth or routing on our side);
 * permanent: the API refused this request itself (other 4xx) — sending it again would not help;
 * malformed: the API answered 2xx with a body outside the contract — retried, since acceptance is unproven.
 */
export type Failure =
  | { kind: 'retryable'; status?: number; retryAfterMs?: number; reason: string }
  | { kind: 'permanent'; status: number; code: string }
  | { kind: 'malformed'; status: number; reason: string };
export type Result<T> = { ok: true; value: T } | ({ ok: false } & Failure);

/** 4xx that say more about our set-up or timing than about the request: retry rather than give the request up. */
const RETRYABLE_4XX = new Set([401, 403, 404, 408, 409, 425, 429]);

export class RequestApiClient {
  constructor(private readonly opts: ClientOptions) {}

  private base(): string {
    const url = typeof this.opts.url === 'function' ? this.opts.url() : this.opts.url;
    return url.replace(/\/+$/, '');
  }

  create(request: NewRequest, idempotencyKey: string): Promise<Result<Created>> {
    return this.call('POST', '/v1/requests', createdSchema, { body: JSON.stringify(request), idempotencyKey });
  }

  get(id: string): Promise<Result<RequestState>> {
    return this.call('GET', `/v1/requests/${encodeURIComponent(id)}`, requestStateSchema, {});
  }

  private async call<T>(
    method: 'GET' | 'POST',
    path: string,
    schema: z.ZodType<T>,
    opts: { body?: string; idempotencyKey?: string },
  ): Promise<Result<T>> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (opts.body) headers['content-type'] = 'application/json';
    if (opts.idempotencyKey) headers['idempotency-key'] = opts.idempotencyKey;
    if (this.opts.token) headers.authorization = `Bearer ${this.opts.token}`;
    let res: Response;
    let text: string;
    try {
      res = await fetch(`${this.base()}${path}`, {
        method,
        headers,
        body: opts.body,
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
      text = await res.text();
    } catch (err) {
      const timeout = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
      return { ok: false, kind: 'retryable', reason: timeout ? 'timeout' : 'network' };
    }
    if (res.ok) {
      const parsed = schema.safeParse(safeJson(text));
      if (parsed.success) return { ok: true, value: parsed.data };
      this.opts.log.warn({ status: res.status, path: method === 'GET' ? 'get' : 'create' }, 'request API answered outside the contract');
      return { ok: false, kind: 'malformed', status: res.status, reason: 'body does not match the contract' };
    }
    if (res.status >= 500 || RETRYABLE_4XX.has(res.status)) {
      if (res.status === 401 || res.status === 403)
        this.opts.log.error({ status: res.status }, 'request API refused our credentials: check REQUEST_API_TOKEN');
      const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
      return {
        ok: false,
        kind: 'retryable',
        status: res.status,
        reason: `http ${res.status}`,
        ...(retryAfterMs !== undefined && { retryAfterMs }),
      };
    }
    const body = errorSchema.safeParse(safeJson(text));
    const code = body.success ? body.data.error.code.slice(0, 64) : `http_${res.status}`;
    return { ok: false, kind: 'permanent', status: res.status, code };
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Retry-After is either delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
