import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WAIT_MS } from './wait.js';

/**
 * A fake Telegram Bot API on 127.0.0.1:0 for the real grammY bot (its `apiRoot`).
 * Tests push updates (as users would send them) and read back what the bot called.
 */

// Payloads are loose JSON on purpose: tests read whatever field the bot sent.
export type Payload = Record<string, any>;

export interface ApiCall {
  method: string;
  payload: Payload;
  /** ms since epoch when the call arrived. */
  at: number;
}

/** A message the bot sent (or edited), as the fake keeps it per chat. */
export interface SentMessage {
  message_id: number;
  chat_id: string;
  text: string;
  parse_mode?: string;
  reply_markup?: Payload;
  at: number;
  edited?: boolean;
}

export interface UserOptions {
  /** Telegram `language_code` of the sender. */
  lang?: string;
  /** Defaults to the user id (a private chat). */
  chatId?: number;
  firstName?: string;
}

type Failure = { status: number; retryAfter?: number; method?: string };

interface Poller {
  offset: number;
  limit: number;
  res: ServerResponse;
  timer: NodeJS.Timeout;
}

interface MessageWaiter {
  chatId: string;
  n: number;
  resolve: (msgs: SentMessage[]) => void;
}

export const TEST_TOKEN = '123456789:TEST_token-for-fake-api';

export const TEST_BOT_INFO = {
  id: 123456789,
  is_bot: true as const,
  first_name: 'Thunder',
  username: 'thunder_test_bot',
  can_join_groups: false,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
};

export class FakeTelegram {
  readonly calls: ApiCall[] = [];
  readonly token = TEST_TOKEN;
  readonly botInfo = TEST_BOT_INFO;
  /** Messages the bot sent, by chat id, in order. */
  readonly messages = new Map<string, SentMessage[]>();
  /** ms since epoch when each update was pushed, by update_id (for latency figures). */
  readonly pushedAt = new Map<number, number>();
  /** ms since epoch when getUpdates handed each update out, by update_id. */
  readonly fetchedAt = new Map<number, number>();
  webhook: { url: string; secret_token?: string } | undefined;
  /** Set when `recordCalls` is false (benchmarks): only counts are kept. */
  callCount = 0;

  private readonly server: Server;
  private readonly queue: Payload[] = [];
  private readonly pollers = new Set<Poller>();
  private readonly waiters = new Set<MessageWaiter>();
  private readonly failures: Failure[] = [];
  private nextUpdateId = 1;
  private nextMessageId = 1;
  private port = 0;

  private constructor(
    private readonly recordCalls: boolean,
    /** Added before every answer: the network round trip to the real Bot API. */
    private readonly latencyMs: number,
  ) {
    this.server = createServer((req, res) => void this.route(req, res));
    this.server.keepAliveTimeout = 60_000;
  }

  static async start(opts: { recordCalls?: boolean; latencyMs?: number } = {}): Promise<FakeTelegram> {
    const fake = new FakeTelegram(opts.recordCalls ?? true, opts.latencyMs ?? 0);
    // A deep accept queue: hundreds of bots' sockets connecting at once must not hit SYN retries.
    await new Promise<void>((done) => fake.server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, done));
    fake.port = (fake.server.address() as AddressInfo).port;
    return fake;
  }

  /** For grammY's `client.apiRoot` / TELEGRAM_API_ROOT (no trailing slash). */
  get apiRoot(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Environment that points the app's Telegram channel at this fake. */
  env(): Record<string, string> {
    return { TELEGRAM_BOT_TOKEN: this.token, TELEGRAM_API_ROOT: this.apiRoot };
  }

  async close(): Promise<void> {
    for (const p of this.pollers) this.finishPoll(p, []);
    await new Promise<void>((done) => {
      this.server.close(() => done());
      this.server.closeAllConnections();
    });
  }

  // ---- pushing updates -------------------------------------------------------------------

  /** Queues a raw update (update_id is assigned) and returns its update_id; with a loopback webhook set, POSTs it there. */
  pushUpdate(update: Payload): number {
    const full = { update_id: this.nextUpdateId++, ...update };
    this.pushedAt.set(full.update_id, Date.now());
    if (this.webhook) {
      void this.deliverWebhook(full);
      return full.update_id;
    }
    this.queue.push(full);
    for (const p of [...this.pollers]) this.servePoll(p);
    return full.update_id;
  }

  /** Builds (without pushing) a message update from a user; used for webhook tests too. */
  messageUpdate(userId: number, fields: Payload, opts: UserOptions = {}): Payload {
    const chatId = opts.chatId ?? userId;
    return {
      message: {
        message_id: this.nextMessageId++,
        date: Math.floor(Date.now() / 1000),
        chat: { id: chatId, type: 'private', first_name: opts.firstName ?? 'Test' },
        from: { id: userId, is_bot: false, first_name: opts.firstName ?? 'Test', ...(opts.lang ? { language_code: opts.lang } : {}) },
        ...fields,
      },
    };
  }

  sendText(userId: number, text: string, opts: UserOptions = {}): number {
    const entities = text.startsWith('/') ? [{ type: 'bot_command', offset: 0, length: text.split(/\s/)[0]!.length }] : undefined;
    return this.pushUpdate(this.messageUpdate(userId, { text, ...(entities ? { entities } : {}) }, opts));
  }

  sendCommand(userId: number, command: string, opts: UserOptions = {}): number {
    return this.sendText(userId, command.startsWith('/') ? command : `/${command}`, opts);
  }

  sendSticker(userId: number, opts: UserOptions = {}): number {
    const sticker = {
      file_id: 'sticker-file',
      file_unique_id: 'st1',
      type: 'regular',
      width: 512,
      height: 512,
      is_animated: false,
      is_video: false,
      emoji: '👍',
    };
    return this.pushUpdate(this.messageUpdate(userId, { sticker }, opts));
  }

  sendPhoto(userId: number, opts: UserOptions = {}): number {
    const photo = [{ file_id: 'photo-file', file_unique_id: 'ph1', width: 90, height: 90 }];
    return this.pushUpdate(this.messageUpdate(userId, { photo }, opts));
  }

  sendVoice(userId: number, opts: UserOptions = {}): number {
    return this.pushUpdate(this.messageUpdate(userId, { voice: { file_id: 'voice-file', file_unique_id: 'vo1', duration: 3 } }, opts));
  }

  sendDocument(userId: number, opts: UserOptions = {}): number {
    return this.pushUpdate(
      this.messageUpdate(userId, { document: { file_id: 'doc-file', file_unique_id: 'do1', file_name: 'a.pdf' } }, opts),
    );
  }

  /** Presses an inline button: a callback_query with `data`, on `messageId` (default: the chat's last bot message). */
  pressButton(userId: number, data: string, opts: UserOptions & { messageId?: number } = {}): number {
    const chatId = opts.chatId ?? userId;
    const last = this.messagesOf(chatId).at(-1);
    return this.pushUpdate({
      callback_query: {
        id: `cb-${this.nextUpdateId}`,
        from: { id: userId, is_bot: false, first_name: opts.firstName ?? 'Test', ...(opts.lang ? { language_code: opts.lang } : {}) },
        chat_instance: `ci-${chatId}`,
        data,
        message: {
          message_id: opts.messageId ?? last?.message_id ?? 1,
          date: Math.floor(Date.now() / 1000),
          chat: { id: chatId, type: 'private', first_name: 'Test' },
          from: { id: this.botInfo.id, is_bot: true, first_name: this.botInfo.first_name },
          text: last?.text ?? '',
        },
      },
    });
  }

  /** Updates queued but not yet fetched by getUpdates. */
  get pending(): number {
    return this.queue.length;
  }

  // ---- failures --------------------------------------------------------------------------

  /** The next `n` API calls (of `method`, if given) fail: 429 with `retryAfter` seconds, or any other status. */
  failNext(n: number, failure: { status: number; retryAfter?: number; method?: string }): void {
    for (let i = 0; i < n; i++) this.failures.push({ ...failure });
  }

  // ---- reading what the bot did ----------------------------------------------------------

  callsOf(method: string): ApiCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  messagesOf(chatId: number | string): SentMessage[] {
    return this.messages.get(String(chatId)) ?? [];
  }

  /** Resolves with the chat's first `n` bot messages once there are that many; rejects after `timeout` ms. */
  waitForMessages(chatId: number | string, n: number, timeout = WAIT_MS): Promise<SentMessage[]> {
    const id = String(chatId);
    const have = this.messagesOf(id);
    if (have.length >= n) return Promise.resolve(have.slice(0, n));
    return new Promise((resolve, reject) => {
      const waiter: MessageWaiter = {
        chatId: id,
        n,
        resolve: (msgs) => {
          clearTimeout(timer);
          resolve(msgs);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(
          new Error(
            `chat ${id}: expected ${n} bot messages within ${timeout} ms, got ${this.messagesOf(id).length}: ${JSON.stringify(this.messagesOf(id).map((m) => m.text))}`,
          ),
        );
      }, timeout);
      this.waiters.add(waiter);
    });
  }

  /** Waits for the next `n` messages after those the chat already has. */
  async nextMessages(chatId: number | string, n = 1, timeout = WAIT_MS): Promise<SentMessage[]> {
    const before = this.messagesOf(chatId).length;
    const all = await this.waitForMessages(chatId, before + n, timeout);
    return all.slice(before);
  }

  /** Resolves with the first call of `method` matching `match` (already made or coming). */
  async waitForCall(method: string, match: (p: Payload) => boolean = () => true, timeout = WAIT_MS): Promise<ApiCall> {
    const deadline = Date.now() + timeout;
    for (;;) {
      const found = this.calls.find((c) => c.method === method && match(c.payload));
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no ${method} call within ${timeout} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  // ---- the HTTP side ---------------------------------------------------------------------

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const match = /^\/bot([^/]+)\/(\w+)$/.exec(req.url ?? '');
    const payload = await readJson(req);
    if (this.latencyMs) await new Promise((r) => setTimeout(r, this.latencyMs));
    if (!match) return send(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    const [, token, method] = match as unknown as [string, string, string];
    if (token !== this.token) return send(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
    this.callCount++;
    if (this.recordCalls) this.calls.push({ method, payload, at: Date.now() });

    const failure = this.takeFailure(method);
    if (failure) {
      const body =
        failure.status === 429
          ? {
              ok: false,
              error_code: 429,
              description: `Too Many Requests: retry after ${failure.retryAfter ?? 1}`,
              parameters: { retry_after: failure.retryAfter ?? 1 },
            }
          : { ok: false, error_code: failure.status, description: 'Internal Server Error' };
      return send(res, failure.status, body);
    }
    this.answer(method, payload, res);
  }

  private takeFailure(method: string): Failure | undefined {
    if (method === 'getUpdates') return undefined;
    const i = this.failures.findIndex((f) => !f.method || f.method === method);
    return i < 0 ? undefined : this.failures.splice(i, 1)[0];
  }

  private answer(method: string, p: Payload, res: ServerResponse): void {
    switch (method) {
      case 'getMe':
        return ok(res, this.botInfo);
      case 'getUpdates':
        return this.poll(p, res);
      case 'sendMessage':
        return ok(res, this.record(p, false));
      case 'editMessageText':
        return ok(res, this.record(p, true));
      case 'setWebhook':
        this.webhook = { url: String(p.url), ...(p.secret_token ? { secret_token: String(p.secret_token) } : {}) };
        return ok(res, true);
      case 'deleteWebhook':
        this.webhook = undefined;
        return ok(res, true);
      case 'getWebhookInfo':
        return ok(res, { url: this.webhook?.url ?? '', has_custom_certificate: false, pending_update_count: this.queue.length });
      case 'answerCallbackQuery':
      case 'setMyCommands':
      case 'deleteMyCommands':
      case 'sendChatAction':
      case 'editMessageReplyMarkup':
      case 'close':
      case 'logOut':
        return ok(res, true);
      default:
        return send(res, 404, { ok: false, error_code: 404, description: `Not Found: method ${method} is not faked` });
    }
  }

  private record(p: Payload, edit: boolean): Payload {
    const chatId = String(p.chat_id);
    const list = this.messages.get(chatId) ?? [];
    this.messages.set(chatId, list);
    const text = String(p.text ?? '');
    const base = { chat_id: chatId, text, parse_mode: p.parse_mode, reply_markup: p.reply_markup, at: Date.now() };
    let msg: SentMessage;
    if (edit) {
      const old = list.find((m) => m.message_id === Number(p.message_id));
      msg = { ...base, message_id: Number(p.message_id), edited: true };
      if (old) Object.assign(old, msg);
      else list.push(msg);
    } else {
      msg = { ...base, message_id: this.nextMessageId++ };
      list.push(msg);
    }
    for (const w of [...this.waiters]) {
      if (w.chatId === chatId && list.length >= w.n) {
        this.waiters.delete(w);
        w.resolve(list.slice(0, w.n));
      }
    }
    return {
      message_id: msg.message_id,
      date: Math.floor(msg.at / 1000),
      chat: { id: Number(chatId), type: 'private' },
      from: { id: this.botInfo.id, is_bot: true, first_name: this.botInfo.first_name },
      text,
    };
  }

  private poll(p: Payload, res: ServerResponse): void {
    if (this.webhook) {
      return send(res, 409, { ok: false, error_code: 409, description: "Conflict: can't use getUpdates method while webhook is active" });
    }
    const offset = Number(p.offset ?? 0);
    // Confirming: updates below the offset are gone for good, as on Telegram.
    while (this.queue.length && this.queue[0]!.update_id < offset) this.queue.shift();
    const poller: Poller = {
      offset,
      limit: Math.min(Number(p.limit ?? 100), 100),
      res,
      timer: setTimeout(() => this.finishPoll(poller, []), Number(p.timeout ?? 0) * 1000),
    };
    this.pollers.add(poller);
    res.on('close', () => {
      clearTimeout(poller.timer);
      this.pollers.delete(poller);
    });
    this.servePoll(poller);
  }

  private servePoll(p: Poller): void {
    const ready = this.queue.filter((u) => u.update_id >= p.offset).slice(0, p.limit);
    if (ready.length) this.finishPoll(p, ready);
  }

  private finishPoll(p: Poller, updates: Payload[]): void {
    if (!this.pollers.delete(p)) return;
    clearTimeout(p.timer);
    const now = Date.now();
    for (const u of updates) this.fetchedAt.set(u.update_id, now);
    ok(p.res, updates);
  }

  private async deliverWebhook(update: Payload): Promise<void> {
    const hook = this.webhook!;
    // Tests stay on loopback: a public webhook URL is recorded, never called.
    if (!/^http:\/\/(127\.0\.0\.1|localhost)[:/]/.test(hook.url)) return;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (hook.secret_token) headers['x-telegram-bot-api-secret-token'] = hook.secret_token;
    try {
      await fetch(hook.url, { method: 'POST', headers, body: JSON.stringify(update) });
    } catch {
      // Telegram would retry later; tests see the missing reply.
    }
  }
}

function ok(res: ServerResponse, result: unknown): void {
  send(res, 200, { ok: true, result });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.writableEnded || res.destroyed) return;
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}

async function readJson(req: IncomingMessage): Promise<Payload> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  if (!raw) return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    return parsed && typeof parsed === 'object' ? (parsed as Payload) : {};
  } catch {
    return {};
  }
}
