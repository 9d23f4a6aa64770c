import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signatureOf } from '../../src/channels/meta/signature.js';
import { WAIT_MS } from './wait.js';

/**
 * A fake Meta Graph API on 127.0.0.1:0 for the real Meta adapter (its META_GRAPH_URL): it records
 * every Send API and WhatsApp call and answers as Meta does, or with scripted errors.
 */

// Payloads are loose JSON on purpose: tests read whatever field the adapter sent.
export type Payload = Record<string, any>;

export interface GraphCall {
  /** `/me/messages` or `/{phone-number-id}/messages`. */
  path: string;
  token: string | undefined;
  payload: Payload;
  /** Send API `recipient.id` or WhatsApp `to`. */
  to: string;
  at: number;
}

/** A scripted refusal: HTTP status and Graph error code/subcode. */
export interface GraphFailure {
  status: number;
  code: number;
  subcode?: number;
  /** Only calls to this recipient fail (default: any). */
  to?: string;
}

export const APP_SECRET = 'test-meta-app-secret';
export const VERIFY_TOKEN = 'test-verify-token';
export const PAGE_TOKEN = 'EAAtestpagetoken';
export const WHATSAPP_TOKEN = 'EAAtestwhatsapptoken';
export const PHONE_NUMBER_ID = '106540352242922';
export const PAGE_ID = '1029384756';

export class FakeGraph {
  readonly calls: GraphCall[] = [];
  /** Calls answered with a message id (not refused). */
  delivered = 0;
  /** Called for every send as it arrives, recorded or not (benchmarks time replies with it). */
  onCall: ((call: GraphCall) => void) | undefined;
  private readonly failures: GraphFailure[] = [];
  /** Recipients whose next send is recorded and never answered (an instance killed mid-send). */
  private readonly holds = new Set<string>();
  private readonly server: Server;
  private port = 0;
  private nextId = 1;

  private constructor(private readonly recordCalls: boolean) {
    this.server = createServer((req, res) => void this.route(req, res));
    this.server.keepAliveTimeout = 60_000;
  }

  static async start(opts: { recordCalls?: boolean } = {}): Promise<FakeGraph> {
    const fake = new FakeGraph(opts.recordCalls ?? true);
    await new Promise<void>((done) => fake.server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, done));
    fake.port = (fake.server.address() as AddressInfo).port;
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/v26.0`;
  }

  /** Environment that turns all three Meta channels on against this fake. */
  env(): Record<string, string> {
    return {
      META_APP_SECRET: APP_SECRET,
      META_VERIFY_TOKEN: VERIFY_TOKEN,
      MESSENGER_PAGE_TOKEN: PAGE_TOKEN,
      WHATSAPP_TOKEN,
      WHATSAPP_PHONE_NUMBER_ID: PHONE_NUMBER_ID,
      META_GRAPH_URL: this.url,
    };
  }

  async close(): Promise<void> {
    await new Promise<void>((done) => {
      this.server.close(() => done());
      this.server.closeAllConnections();
    });
  }

  /** The next `n` sends (to `to`, if given) are refused with this Graph error. */
  failNext(n: number, failure: GraphFailure): void {
    for (let i = 0; i < n; i++) this.failures.push({ ...failure });
  }

  /** The next send to `to` is recorded, then left hanging. */
  holdNext(to: string): void {
    this.holds.add(to);
  }

  callsTo(to: string): GraphCall[] {
    return this.calls.filter((c) => c.to === to);
  }

  /** The texts a recipient got, in order: Send API text, WhatsApp text or interactive body, template name. */
  textsTo(to: string): string[] {
    return this.callsTo(to).map((c) => textOf(c.payload));
  }

  /** Resolves with the recipient's calls once there are at least `n`; rejects after `timeout` ms. */
  async waitFor(to: string, n = 1, timeout = WAIT_MS): Promise<GraphCall[]> {
    const deadline = Date.now() + timeout;
    for (;;) {
      const calls = this.callsTo(to);
      if (calls.length >= n) return calls;
      if (Date.now() > deadline)
        throw new Error(
          `${to}: expected ${n} Graph calls within ${timeout} ms, got ${calls.length}: ${JSON.stringify(calls.map((c) => textOf(c.payload)))}`,
        );
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const path = (req.url ?? '').replace(/^\/v[\d.]+/, '').split('?')[0]!;
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    let payload: Payload = {};
    try {
      payload = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Payload;
    } catch {
      return send(res, 400, graphError(100, undefined, 'Invalid JSON'));
    }
    const whatsapp = path === `/${PHONE_NUMBER_ID}/messages`;
    if (path !== '/me/messages' && !whatsapp) return send(res, 404, graphError(100, 33, 'Unsupported post request'));
    if (token !== (whatsapp ? WHATSAPP_TOKEN : PAGE_TOKEN)) return send(res, 401, graphError(190, 463, 'Error validating access token'));
    const to = String(whatsapp ? payload.to : payload.recipient?.id);
    const call = { path, token, payload, to, at: Date.now() };
    if (this.recordCalls) this.calls.push(call);
    this.onCall?.(call);
    if (this.holds.delete(to)) return;
    const i = this.failures.findIndex((f) => !f.to || f.to === to);
    if (i >= 0) {
      const f = this.failures.splice(i, 1)[0]!;
      return send(res, f.status, graphError(f.code, f.subcode, 'scripted failure'));
    }
    this.delivered++;
    const id = this.nextId++;
    if (whatsapp)
      return send(res, 200, { messaging_product: 'whatsapp', contacts: [{ input: to, wa_id: to }], messages: [{ id: `wamid.out${id}` }] });
    send(res, 200, { recipient_id: to, message_id: `m_out${id}` });
  }
}

function graphError(code: number, subcode: number | undefined, message: string): Payload {
  return { error: { message, type: 'OAuthException', code, ...(subcode ? { error_subcode: subcode } : {}), fbtrace_id: 'Afake' } };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}

export function textOf(p: Payload): string {
  return String(p.message?.text ?? p.text?.body ?? p.interactive?.body?.text ?? (p.template ? `template:${p.template.name}` : ''));
}

// ---- webhook bodies as Meta sends them ----------------------------------------------------

/**
 * JSON as Meta writes it: every non-ASCII character escaped as `\uXXXX` (lower-case hex, emoji as
 * surrogate pairs), which is what its signature covers.
 */
export function metaJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function sign(raw: string | Uint8Array, secret = APP_SECRET): string {
  return signatureOf(typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw, secret);
}

/** POSTs raw bytes to the app's /meta/webhook, signed unless `signature` overrides it (`null`: no header). */
export function postWebhook(baseUrl: string, raw: string | Uint8Array, signature?: string | null): Promise<Response> {
  const body = Buffer.from(typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const sig = signature === undefined ? sign(body) : signature;
  if (sig !== null) headers['x-hub-signature-256'] = sig;
  return fetch(`${baseUrl}/meta/webhook`, { method: 'POST', headers, body });
}

let counter = 0;
const uid = (): string => `${process.pid}${Date.now().toString(36)}${(counter++).toString(36)}`;

export interface MessengerOptions {
  at?: number;
  mid?: string;
  quickReply?: string;
}

/** One Messenger (or Instagram) messaging event from `psid`. */
export function messagingEvent(psid: string, text: string, o: MessengerOptions = {}): Payload {
  const message: Payload = { mid: o.mid ?? `m_${uid()}`, text };
  if (o.quickReply) message.quick_reply = { payload: o.quickReply };
  return { sender: { id: psid }, recipient: { id: PAGE_ID }, timestamp: o.at ?? Date.now(), message };
}

export function postbackEvent(psid: string, payload: string, at = Date.now()): Payload {
  return {
    sender: { id: psid },
    recipient: { id: PAGE_ID },
    timestamp: at,
    postback: { title: 'Get Started', payload, mid: `m_${uid()}` },
  };
}

/** A `page` (Messenger) or `instagram` body with one entry holding `events`. */
export function pageBody(events: Payload[], object: 'page' | 'instagram' = 'page'): Payload {
  return { object, entry: [{ id: PAGE_ID, time: Date.now(), messaging: events }] };
}

export interface WhatsAppOptions {
  /** Business-scoped user id; with `phone: null` the contact has no number at all. */
  userId?: string;
  phone?: string | null;
  id?: string;
  at?: number;
}

/** One WhatsApp message from a user: `message` holds `type` and its field (text, interactive, button). */
export function whatsappBody(message: Payload, o: WhatsAppOptions = {}): Payload {
  const phone = o.phone === undefined ? '37120000000' : o.phone;
  const contact: Payload = { profile: { name: 'Test' } };
  if (phone) contact.wa_id = phone;
  if (o.userId) contact.user_id = o.userId;
  const msg: Payload = { id: o.id ?? `wamid.${uid()}`, timestamp: String(Math.floor((o.at ?? Date.now()) / 1000)), ...message };
  if (phone) msg.from = phone;
  if (o.userId) msg.from_user_id = o.userId;
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: 'WABA1',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '37167000000', phone_number_id: PHONE_NUMBER_ID },
              contacts: [contact],
              messages: [msg],
            },
          },
        ],
      },
    ],
  };
}

export const waText = (body: string): Payload => ({ type: 'text', text: { body } });
export const waButtonReply = (id: string, title = 'x'): Payload => ({
  type: 'interactive',
  interactive: { type: 'button_reply', button_reply: { id, title } },
});
export const waListReply = (id: string, title = 'x'): Payload => ({
  type: 'interactive',
  interactive: { type: 'list_reply', list_reply: { id, title } },
});
