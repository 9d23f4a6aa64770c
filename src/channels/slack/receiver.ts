import { isValidSlackRequest, type App as BoltApp, type Receiver, type ReceiverEvent } from '@slack/bolt';
import { type Context, Hono } from 'hono';
import { limitBody } from '../../http/json.js';
import type { Logger } from 'pino';
import { z } from 'zod';
import { errorInfo } from '../../core/errors.js';

/** Slack wants an answer within 3 s; leave room for the network. */
const ACK_WITHIN_MS = 2500;
const MAX_BODY = 512 * 1024;
const MAX_SKEW_S = 5 * 60;

type Acked = { response?: unknown } | { failed: true };

/**
 * Bolt's HTTP side on our own Hono server (one port for everything): verifies Slack's signature on
 * the raw body before anything is parsed, then hands the payload to Bolt and answers with its ack.
 */
export class HonoReceiver implements Receiver {
  private bolt: BoltApp | undefined;
  /** Mounted on the app's one HTTP server. */
  readonly routes = new Hono();

  constructor(
    private readonly signingSecret: string,
    private readonly log: Logger,
    path = '/slack/events',
  ) {
    this.routes.post(path, limitBody(MAX_BODY), (c) => this.handle(c));
  }

  init(bolt: BoltApp): void {
    this.bolt = bolt;
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  private async handle(c: Context): Promise<Response> {
    const raw = await c.req.text();
    if (!this.verified(c, raw)) {
      // debug: a flood of forged requests must not become a flood of log lines.
      this.log.debug({ path: c.req.path }, 'slack request refused: bad or stale signature');
      return c.text('invalid signature', 401);
    }
    const body = parseBody(c.req.header('content-type') ?? '', raw);
    if (!body) return c.text('malformed payload', 400);
    if (body.type === 'url_verification') return c.json({ challenge: body.challenge });
    if (body.ssl_check) return c.body(null, 200);
    if (!this.bolt) return c.text('not ready', 503);

    let settle!: (a: Acked) => void;
    const acked = new Promise<Acked>((resolve) => (settle = resolve));
    const event: ReceiverEvent = {
      body,
      ack: async (response?: unknown) => settle({ response }),
      ...retryInfo(c),
    };
    this.bolt.processEvent(event).catch((err: unknown) => {
      this.log.error({ err: errorInfo(err) }, 'slack event failed');
      settle({ failed: true });
    });
    const timer = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), ACK_WITHIN_MS).unref());
    const result = await Promise.race([acked, timer]);
    if (result === 'late') return c.body(null, 200);
    if ('failed' in result) return c.text('internal error', 500);
    const { response } = result;
    if (response === undefined || response === '') return c.body(null, 200);
    return typeof response === 'string' ? c.text(response) : c.json(response as object);
  }

  private verified(c: Context, raw: string): boolean {
    const signature = c.req.header('x-slack-signature');
    const ts = Number(c.req.header('x-slack-request-timestamp'));
    if (!signature || !Number.isInteger(ts)) return false;
    // Bolt refuses old timestamps; a timestamp far in the future is just as suspect.
    if (ts - Date.now() / 1000 > MAX_SKEW_S) return false;
    return isValidSlackRequest({
      signingSecret: this.signingSecret,
      body: raw,
      headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': ts },
    });
  }
}

const envelope = z.union([
  z.looseObject({ type: z.literal('url_verification'), challenge: z.string() }),
  z.looseObject({ type: z.literal('event_callback'), team_id: z.string(), event: z.looseObject({ type: z.string() }) }),
  z.looseObject({ type: z.literal('block_actions'), actions: z.array(z.looseObject({ action_id: z.string() })).min(1) }),
  z.looseObject({ type: z.enum(['view_submission', 'view_closed', 'shortcut', 'message_action', 'block_suggestion']) }),
  z.looseObject({
    command: z.string().startsWith('/'),
    team_id: z.string(),
    user_id: z.string(),
    channel_id: z.string(),
    text: z.string(),
  }),
  z.looseObject({ ssl_check: z.string() }),
]);

/** JSON events, form-encoded slash commands, and interactions as `payload=<json>`; null when malformed. */
export function parseBody(contentType: string, raw: string): Record<string, unknown> | null {
  let value: unknown;
  try {
    if (/^application\/json\b/i.test(contentType)) value = JSON.parse(raw);
    else if (/^application\/x-www-form-urlencoded\b/i.test(contentType)) {
      const form = new URLSearchParams(raw);
      const payload = form.get('payload');
      value = payload === null ? Object.fromEntries(form) : JSON.parse(payload);
    }
  } catch {
    return null;
  }
  const parsed = envelope.safeParse(value);
  return parsed.success ? (parsed.data as Record<string, unknown>) : null;
}

function retryInfo(c: Context): Pick<ReceiverEvent, 'retryNum' | 'retryReason'> {
  const num = Number(c.req.header('x-slack-retry-num'));
  const reason = c.req.header('x-slack-retry-reason');
  return { ...(Number.isInteger(num) ? { retryNum: num } : {}), ...(reason ? { retryReason: reason } : {}) };
}
