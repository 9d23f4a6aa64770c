import { z } from 'zod';
import { DeliveryError } from '../../core/errors.js';
import type { MetaChannel } from './inbound.js';

/**
 * What a refused send means for Thunder:
 * - `retry`: throttling, transient errors, 5xx, the network; the durable queue tries again.
 * - `window`: outside the 24-hour window (Messenger 10/2018278, WhatsApp 131047); never retried.
 * - `unreachable`: the person turned messages off (551) or cannot get them (WhatsApp 131026).
 * - `token`: the access token expired or was revoked (190); an operator must act.
 * - `invalid`: anything else Meta refuses; retrying would not help.
 */
export type GraphFailure = 'retry' | 'window' | 'unreachable' | 'token' | 'invalid';

/** Graph throttling (4 app, 17 account, 32 page, 613 custom, 80007 Messenger), WhatsApp 130429/131056; transient 1, 2, 131000, 131016. */
const RETRY_CODES = new Set([1, 2, 4, 17, 32, 613, 80007, 130429, 131000, 131016, 131056]);
const WINDOW_SUBCODES = new Set([2018278]);

/** The Graph refusal as a DeliveryError whose `reason` is the GraphFailure: `retryable` only for `retry`. */
export function graphError(
  channel: MetaChannel,
  failure: GraphFailure,
  status: number,
  code: number | undefined,
  subcode: number | undefined,
  retryAfterMs?: number,
): DeliveryError {
  return new DeliveryError(channel, `Graph API refused the message: HTTP ${status}, code ${code ?? '-'}/${subcode ?? '-'} (${failure})`, {
    retryable: failure === 'retry',
    retryAfterMs,
    reason: failure,
    platform: { status, ...(code !== undefined && { code }), ...(subcode !== undefined && { subcode }) },
  });
}

/** A refusal of Meta's, classified (a DeliveryError from graphError). */
export function isGraphRefusal(err: unknown): err is DeliveryError & { reason: GraphFailure } {
  return (
    err instanceof DeliveryError &&
    ['retry', 'window', 'unreachable', 'token', 'invalid'].includes(err.reason) &&
    err.platform.status !== undefined
  );
}

const graphErrorBody = z.object({
  error: z.object({ code: z.coerce.number().optional(), error_subcode: z.coerce.number().optional() }).loose(),
});

export function classify(status: number, code: number | undefined, subcode: number | undefined): GraphFailure {
  if (code === 190) return 'token';
  if ((code === 10 && subcode !== undefined && WINDOW_SUBCODES.has(subcode)) || code === 131047) return 'window';
  if (code === 551 || code === 131026) return 'unreachable';
  if ((code !== undefined && RETRY_CODES.has(code)) || status === 429 || status >= 500) return 'retry';
  return 'invalid';
}

export interface GraphClientOptions {
  /** `META_GRAPH_URL`: the versioned base, e.g. https://graph.facebook.com/v26.0. */
  baseUrl: string;
  timeoutMs?: number;
}

/**
 * A thin `fetch` client for the two send endpoints Thunder uses. No SDK: Meta's own Node SDKs are
 * paused or aimed at the Marketing API, and the third-party ones cover one channel each.
 */
export class GraphClient {
  private readonly timeoutMs: number;

  constructor(private readonly opts: GraphClientOptions) {
    this.timeoutMs = opts.timeoutMs ?? 15_000;
  }

  /** POSTs JSON to `{base}{path}`; resolves with Meta's answer or throws a DeliveryError (graphError for Meta's refusals). */
  async post(channel: MetaChannel, path: string, token: string, body: unknown): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(`${this.opts.baseUrl}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new DeliveryError(channel, 'Graph API unreachable', { retryable: true, cause: err });
    }
    const json: unknown = await res.json().catch(() => undefined);
    if (res.ok) return json;
    const parsed = graphErrorBody.safeParse(json);
    const code = parsed.success ? parsed.data.error.code : undefined;
    const subcode = parsed.success ? parsed.data.error.error_subcode : undefined;
    throw graphError(channel, classify(res.status, code, subcode), res.status, code, subcode, retryAfter(res.headers));
  }
}

/** A Retry-After in seconds when Meta sends one; Graph mostly does not, and the queue's backoff applies. */
function retryAfter(headers: Headers): number | undefined {
  const seconds = Number(headers.get('retry-after'));
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
}
