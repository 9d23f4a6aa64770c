import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WAIT_MS } from './wait.js';

/**
 * A fake Slack Web API on 127.0.0.1:0 for the real Bolt app (clientOptions.slackApiUrl via
 * SLACK_API_URL), recording every call, plus helpers to sign requests as Slack does.
 */

// Payloads are loose JSON on purpose: tests read whatever field the app sent.
export type Payload = Record<string, any>;

export interface SlackCall {
  method: string;
  payload: Payload;
  token: string | undefined;
  at: number;
  /** What the fake answered (e.g. the `ts` of a posted message). */
  result?: Payload;
}

export const SLACK_TOKEN = 'xoxb-test-token';
export const SIGNING_SECRET = 'test-signing-secret';
export const SUPPORT_CHANNEL = 'C0SUPPORT';
export const BOT_USER_ID = 'U0THUNDER';
export const BOT_ID = 'B0THUNDER';
export const TEAM_ID = 'T0KILOWATS';

type Failure = { status: number; error?: string; method?: string };

export class FakeSlack {
  readonly calls: SlackCall[] = [];
  private server: Server;
  private port = 0;
  private readonly failures: Failure[] = [];
  private tsCounter = 0;

  private constructor() {
    this.server = this.createServer();
  }

  static async start(): Promise<FakeSlack> {
    const fake = new FakeSlack();
    await fake.listen(0);
    return fake;
  }

  private createServer(): Server {
    return createServer((req, res) => void this.route(req, res));
  }

  private listen(port: number): Promise<void> {
    return new Promise((done) =>
      this.server.listen(port, '127.0.0.1', () => {
        this.port = (this.server.address() as AddressInfo).port;
        done();
      }),
    );
  }

  /** For SLACK_API_URL / clientOptions.slackApiUrl. */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api/`;
  }

  /** Environment that turns the app's Slack channel on (HTTP mode) against this fake. */
  env(): Record<string, string> {
    return {
      SLACK_BOT_TOKEN: SLACK_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: this.apiUrl,
      SLACK_SUPPORT_CHANNEL: SUPPORT_CHANNEL,
    };
  }

  /** Slack unreachable: the port refuses connections until `up()`. */
  async down(): Promise<void> {
    await new Promise<void>((done) => {
      this.server.close(() => done());
      this.server.closeAllConnections();
    });
  }

  async up(): Promise<void> {
    this.server = this.createServer();
    await this.listen(this.port);
  }

  async close(): Promise<void> {
    if (!this.server.listening) return;
    await this.down();
  }

  /** The next `n` calls (of `method`, if given) fail: an HTTP status, or 200 with `ok: false` and `error`. */
  failNext(n: number, failure: Failure): void {
    for (let i = 0; i < n; i++) this.failures.push({ ...failure });
  }

  callsOf(method: string, match: (p: Payload) => boolean = () => true): SlackCall[] {
    return this.calls.filter((c) => c.method === method && match(c.payload));
  }

  /** Resolves with the first call of `method` matching `match` (already made or coming). */
  async waitForCall(method: string, match: (p: Payload) => boolean = () => true, timeout = WAIT_MS): Promise<SlackCall> {
    const deadline = Date.now() + timeout;
    for (;;) {
      const found = this.calls.find((c) => c.method === method && match(c.payload));
      if (found) return found;
      if (Date.now() > deadline) {
        throw new Error(`no ${method} call within ${timeout} ms; calls: ${this.calls.map((c) => c.method).join(', ') || 'none'}`);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = /^\/api\/([\w.]+)$/.exec(req.url ?? '')?.[1];
    const payload = await readPayload(req);
    if (!method) return send(res, 404, { ok: false, error: 'unknown_method' });
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? (payload.token as string | undefined);
    const call: SlackCall = { method, payload, token, at: Date.now() };
    this.calls.push(call);
    if (token !== SLACK_TOKEN) return send(res, 200, { ok: false, error: 'invalid_auth' });
    const i = this.failures.findIndex((f) => !f.method || f.method === method);
    if (i >= 0) {
      const f = this.failures.splice(i, 1)[0]!;
      return send(res, f.status, { ok: false, error: f.error ?? 'internal_error' });
    }
    call.result = this.answer(method, payload);
    send(res, 200, call.result);
  }

  private nextTs(): string {
    return `1764000000.${String(++this.tsCounter).padStart(6, '0')}`;
  }

  private answer(method: string, p: Payload): Payload {
    const channel = typeof p.channel === 'string' && !p.channel.startsWith('#') ? p.channel : SUPPORT_CHANNEL;
    switch (method) {
      case 'auth.test':
        return {
          ok: true,
          url: 'https://kilowats.slack.com/',
          team: 'KILOWATS',
          user: 'thunder',
          team_id: TEAM_ID,
          user_id: BOT_USER_ID,
          bot_id: BOT_ID,
        };
      case 'chat.postMessage': {
        const ts = this.nextTs();
        return {
          ok: true,
          channel,
          ts,
          message: { type: 'message', text: p.text, ts, bot_id: BOT_ID, ...(p.thread_ts ? { thread_ts: p.thread_ts } : {}) },
        };
      }
      case 'chat.update':
        return { ok: true, channel, ts: p.ts, text: p.text };
      case 'chat.delete':
        return { ok: true, channel, ts: p.ts };
      case 'chat.postEphemeral':
        return { ok: true, message_ts: this.nextTs() };
      case 'users.info':
        return { ok: true, user: { id: p.user, name: `agent-${p.user}`, real_name: 'Agent', is_bot: false } };
      default:
        if (method.startsWith('conversations.'))
          return { ok: true, channel: { id: channel, is_channel: true }, channels: [], messages: [] };
        if (method.startsWith('views.')) return { ok: true, view: { id: 'V0VIEW', ...(p.view ?? {}) } };
        return { ok: false, error: 'unknown_method' };
    }
  }
}

/** Slack's request signature: `v0=` HMAC-SHA256 of `v0:{timestamp}:{raw body}`. */
export function sign(body: string, timestamp: number, secret = SIGNING_SECRET): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export interface SignedOptions {
  contentType?: string;
  /** Seconds since epoch; default now. */
  timestamp?: number;
  secret?: string;
  /** Overrides the computed signature (forgeries). */
  signature?: string;
}

/** POSTs a raw body to the app's /slack/events as Slack would, signed. */
export function postSigned(baseUrl: string, body: string, o: SignedOptions = {}): Promise<Response> {
  const timestamp = o.timestamp ?? Math.floor(Date.now() / 1000);
  return fetch(`${baseUrl}/slack/events`, {
    method: 'POST',
    headers: {
      'content-type': o.contentType ?? 'application/json',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': o.signature ?? sign(body, timestamp, o.secret),
    },
    body,
  });
}

let eventCounter = 0;

/** An Events API envelope around `event`, as JSON. */
export function eventBody(event: Payload): string {
  eventCounter++;
  return JSON.stringify({
    token: 'legacy',
    team_id: TEAM_ID,
    api_app_id: 'A0THUNDER',
    type: 'event_callback',
    event_id: `Ev${eventCounter}`,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: TEAM_ID, user_id: BOT_USER_ID, is_bot: true }],
    event: { event_ts: `${Date.now() / 1000}`, ...event },
  });
}

/** A slash command, form-encoded. */
export function commandBody(command: string, text: string, user = 'U0STAFF', channel = 'D0STAFF'): string {
  return new URLSearchParams({
    token: 'legacy',
    team_id: TEAM_ID,
    team_domain: 'kilowats',
    channel_id: channel,
    channel_name: 'directmessage',
    user_id: user,
    user_name: 'staff',
    command,
    text,
    api_app_id: 'A0THUNDER',
    response_url: 'http://127.0.0.1:9/commands/response',
    trigger_id: 'trigger.1',
  }).toString();
}

/** A block_actions interaction (a button press), form-encoded as `payload=`. */
export function buttonBody(actionId: string, value: string, user: string, channel: string, messageTs: string): string {
  return actionBody({ type: 'button', action_id: actionId, value, text: { type: 'plain_text', text: 'x' } }, user, channel, messageTs);
}

/** A block_actions interaction with any one element (a button, a select…), form-encoded as `payload=`. */
export function actionBody(action: Payload, user: string, channel: string, messageTs: string): string {
  const payload = {
    type: 'block_actions',
    team: { id: TEAM_ID, domain: 'kilowats' },
    user: { id: user, username: 'agent', team_id: TEAM_ID },
    api_app_id: 'A0THUNDER',
    token: 'legacy',
    trigger_id: 'trigger.2',
    channel: { id: channel, name: 'support' },
    container: { type: 'message', message_ts: messageTs, channel_id: channel, is_ephemeral: false },
    message: { type: 'message', ts: messageTs, text: 'ticket' },
    response_url: 'http://127.0.0.1:9/actions/response',
    actions: [{ block_id: 'b', action_ts: `${Date.now() / 1000}`, ...action }],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.writableEnded || res.destroyed) return;
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}

/** The Web API client sends form fields (objects JSON-encoded) or JSON; both become one object. */
async function readPayload(req: IncomingMessage): Promise<Payload> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  if (!raw) return {};
  if ((req.headers['content-type'] ?? '').includes('json')) {
    try {
      return JSON.parse(raw) as Payload;
    } catch {
      return {};
    }
  }
  const out: Payload = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    out[k] = /^[[{]/.test(v) ? safeJson(v) : v;
  }
  return out;
}

function safeJson(v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}
