import { createHash, randomUUID } from 'node:crypto';
import type { i18n, TFunction } from 'i18next';
import type { Logger } from 'pino';
import type { Space } from '../state/port.js';
import type { Lang } from '../domain.js';
import { ErrorCode, errorInfo, ThunderError } from './errors.js';
import { CoreEmitter } from './events.js';
import { KeyedQueue } from './queue.js';
import { MAX_TURNS, SessionCodec, type Session, type SessionShape } from './session.js';
import type { Channel, Incoming, Reply, Sender } from './types.js';

export interface Ctx {
  readonly msg: Incoming;
  /** `channel:userId`: the key of everything the bot keeps about this user. */
  readonly key: string;
  /**
   * Command name from "/start@bot args" or a `cmd:start` button, else undefined. The intent router
   * sets it for free text that asks what a command does ("I want to talk to a person" → human).
   */
  command: string | undefined;
  /** Text after the command, or the whole text when there is no command. */
  readonly args: string;
  session: Session;
  /** Set when this turn holds form answers: the history keeps a placeholder, not the text. */
  private: boolean;
  /** Interface language; handlers may change it (language switch, detected question language). */
  lang: Lang;
  readonly t: TFunction;
  readonly replies: Reply[];
  reply(reply: Reply | string): void;
  readonly core: Core;
}

export type SessionStore = Pick<Space<Session>, 'get' | 'set' | 'delete'>;
/** A mark that changes at each erasure of a user's data, shared by every instance. */
export type TombstoneStore = Pick<Space<string>, 'get' | 'set'>;
/** A mark's hashed key and the value a turn read at its start. */
interface Mark {
  id: string;
  value: string | undefined;
}
export type Next = () => Promise<void>;
export type Middleware = (ctx: Ctx, next: Next) => Promise<void>;
export type ForgetHook = (key: string, session: Session) => Promise<void>;

export interface CoreOptions {
  i18n: i18n;
  /** The port's session space; the unit tier passes any store with the same three calls. */
  sessions: SessionStore;
  /**
   * Marks of /forget, so a turn on another instance that began before it cannot write the session
   * back; only where instances share the store (one instance's per-user queue already orders them).
   */
  tombstones?: TombstoneStore | undefined;
  log: Logger;
  defaultLang: Lang;
  /**
   * Masks personal data (e-mails, phones, personal codes…) in the customer's turns a session keeps as
   * context for support staff: an agent needs the question, not the personal code typed beside it.
   */
  redact?: (text: string) => string;
}

/** Longer than any turn: a turn that began before a /forget is still running within this. */
const TOMBSTONE_MS = 10 * 60_000;

const COMMAND = /^\/([a-z_]+)(?:@\w+)?(?:\s+([\s\S]*))?$/i;

/**
 * The channel-agnostic conversation core: a message goes in, replies come out.
 * Like grammY's Composer, features are middleware; the core knows no platform.
 */
export class Core {
  readonly events = new CoreEmitter();
  readonly log: Logger;
  readonly i18n: i18n;
  readonly sessions: SessionStore;
  private readonly tombstones: TombstoneStore | undefined;
  private readonly redact: (text: string) => string;
  readonly defaultLang: Lang;
  private readonly stack: Middleware[] = [];
  private readonly senders = new Map<Channel, Sender>();
  private readonly forgetHooks: ForgetHook[] = [];
  private readonly codec = new SessionCodec();
  /** Per-user queue so two messages of one user never race on the session. */
  private readonly queue = new KeyedQueue();
  /** One fixed t per language: `ctx.t` is read many times per turn. */
  private readonly ts = new Map<Lang, TFunction>();

  constructor(opts: CoreOptions) {
    this.log = opts.log;
    this.i18n = opts.i18n;
    this.sessions = opts.sessions;
    this.tombstones = opts.tombstones;
    this.redact = opts.redact ?? ((text) => text);
    this.defaultLang = opts.defaultLang;
  }

  use(...mw: Middleware[]): this {
    this.stack.push(...mw);
    return this;
  }

  static keyOf(msg: Pick<Incoming, 'channel' | 'userId'>): string {
    return `${msg.channel}:${msg.userId}`;
  }

  handle(msg: Incoming): Promise<Reply[]> {
    const key = Core.keyOf(msg);
    return this.queue.run(key, () => this.run(key, msg));
  }

  private async run(key: string, msg: Incoming): Promise<Reply[]> {
    const started = performance.now();
    // The mark before the session: a /forget in between shows as a changed mark at the write.
    const mark = await this.markOf(key);
    const session = this.codec.parse(await this.sessions.get(key));
    session.chatId = msg.chatId;
    const core = this;
    const text = msg.text?.trim() ?? '';
    const button = msg.button?.startsWith('cmd:') ? msg.button.slice(4) : undefined;
    const parsed = COMMAND.exec(text);
    const ctx: Ctx = {
      msg,
      key,
      command: button ?? parsed?.[1]?.toLowerCase(),
      args: parsed ? (parsed[2] ?? '').trim() : text,
      session,
      private: false,
      lang: session.lang ?? core.langOf(msg.locale),
      get t() {
        return core.tOf(this.lang);
      },
      replies: [],
      reply(r) {
        this.replies.push(typeof r === 'string' ? { text: r } : r);
      },
      core,
    };
    let failed = false;
    try {
      await this.compose(ctx, 0);
    } catch (err) {
      failed = true;
      this.log.error({ err: errorInfo(err), channel: msg.channel }, 'handler failed');
      ctx.replies.length = 0;
      ctx.reply(ctx.t('core:error'));
    }
    // Like grammY: a turn that threw keeps the stored session as it was, not half-changed.
    if (!failed && this.sessionKept(ctx)) {
      if (ctx.private) recordTurns(ctx.session, ctx.t('core:privateTurn'), [], this.redact);
      else recordTurns(ctx.session, text || (msg.button ? `[${msg.button}]` : ''), ctx.replies, this.redact);
      await this.write(key, ctx.session, mark);
    }
    this.events.emit('message', { channel: msg.channel, ms: performance.now() - started });
    return ctx.replies;
  }

  private compose(ctx: Ctx, i: number): Promise<void> {
    const mw = this.stack[i];
    if (!mw) return Promise.resolve();
    let called = false;
    return mw(ctx, () => {
      // A second call would run the rest of the stack twice (two replies, two session writes).
      if (called) return Promise.reject(new ThunderError(ErrorCode.NextCalledTwice, 'next() called twice by one middleware'));
      called = true;
      return this.compose(ctx, i + 1);
    });
  }

  /**
   * The per-user queue is per instance: a /forget handled by another instance while this turn ran
   * must not be undone by this turn's older copy. /forget changes the mark before and after it
   * erases, and this checks the mark after it writes, so one of the two always sees the other;
   * a turn that began after the /forget read the new mark and keeps its session.
   */
  private async write(key: string, session: Session, mark: Mark | undefined): Promise<void> {
    await this.sessions.set(key, session);
    if (mark && (await this.tombstones?.get(mark.id)) !== mark.value) await this.sessions.delete(key);
  }

  /** The /forget mark as a turn finds it; undefined when no other instance shares the store. */
  private async markOf(key: string): Promise<Mark | undefined> {
    if (!this.tombstones) return undefined;
    const id = tombstoneKey(key);
    return { id, value: await this.tombstones.get(id) };
  }

  /** After /forget the session is gone and must not be written back. */
  private sessionKept(ctx: Ctx): boolean {
    return !forgotten.has(ctx);
  }

  private tOf(lang: Lang): TFunction {
    let t = this.ts.get(lang);
    if (!t) {
      t = plainOnce(this.i18n.getFixedT(lang));
      this.ts.set(lang, t);
    }
    return t;
  }

  langOf(locale: string | undefined): Lang {
    const base = locale?.toLowerCase().split(/[-_]/)[0];
    return base === 'lv' || base === 'en' ? base : this.defaultLang;
  }

  /** Adds a feature's session fields (see SessionFields); each feature's part is validated on its own. */
  addSessionFields(shape: SessionShape): void {
    this.codec.add(shape);
  }

  registerSender(channel: Channel, sender: Sender): void {
    this.senders.set(channel, sender);
  }

  /** Delivers replies outside a turn; throws when the channel is off or delivery fails (callers retry). */
  async push(channel: Channel, chatId: string, replies: Reply[]): Promise<void> {
    const sender = this.senders.get(channel);
    if (!sender) throw new ThunderError(ErrorCode.ChannelOff, `channel ${channel} has no sender`);
    await sender.send(chatId, replies);
  }

  /** A user's stored session, read outside a turn; undefined when there is none. */
  async readSession(key: string): Promise<Session | undefined> {
    const raw = await this.sessions.get(key);
    return raw ? this.codec.parse(raw) : undefined;
  }

  /**
   * Changes a user's stored session outside a turn (staff resolved the ticket). It runs in the
   * user's queue, so a turn in progress cannot write its older copy over the change.
   * `edit` returns false to leave the session unwritten.
   */
  editSession(key: string, edit: (session: Session) => boolean): Promise<void> {
    return this.queue.run(key, async () => {
      const mark = await this.markOf(key);
      const raw = await this.sessions.get(key);
      if (!raw) return;
      const session = this.codec.parse(raw);
      if (edit(session)) await this.write(key, session, mark);
    });
  }

  onForget(hook: ForgetHook): void {
    this.forgetHooks.push(hook);
  }

  /** Erases everything the bot keeps about the user of `ctx`: the session and every feature's data. */
  async forget(ctx: Ctx): Promise<void> {
    const mark = tombstoneKey(ctx.key);
    await this.tombstones?.set(mark, randomUUID(), TOMBSTONE_MS);
    for (const hook of this.forgetHooks) await hook(ctx.key, ctx.session);
    await this.sessions.delete(ctx.key);
    if (this.tombstones) {
      // A turn elsewhere that read the session before the delete and wrote it back after it: it read
      // the first mark, so its check after writing sees this one (or this delete comes after it).
      await this.tombstones.set(mark, randomUUID(), TOMBSTONE_MS);
      await this.sessions.delete(ctx.key);
    }
    forgotten.add(ctx);
    ctx.session = this.codec.fresh();
    this.events.emit('forgotten', { channel: ctx.msg.channel });
  }
}

const forgotten = new WeakSet<Ctx>();

/**
 * `t` that looks a key asked without options up once: its string never changes, and i18next's
 * lookup was ~8 % of a chat message's CPU (--cpu-prof; button labels are asked on every turn).
 * Only keys that exist are kept, so the cache is bounded by the locale files, whatever is asked.
 */
function plainOnce(t: TFunction): TFunction {
  const plain = new Map<string, string>();
  const call = t as unknown as (key: unknown, ...rest: unknown[]) => unknown;
  return ((key: unknown, ...rest: unknown[]) => {
    if (rest.length || typeof key !== 'string') return call(key, ...rest);
    let text = plain.get(key);
    if (text === undefined) {
      text = String(call(key));
      if (text !== key && !key.endsWith(`:${text}`)) plain.set(key, text);
    }
    return text;
  }) as unknown as TFunction;
}

/** Hashed: the mark outlives the erasure by minutes and must not keep the user's id. */
function tombstoneKey(key: string): string {
  return createHash('sha256').update(key).digest('base64url');
}

function recordTurns(session: Session, userText: string, replies: Reply[], redact: (text: string) => string): void {
  const at = Date.now();
  if (userText) session.turns.push({ from: 'user', text: redact(userText.slice(0, 1000)), at });
  for (const r of replies) session.turns.push({ from: 'bot', text: r.text.slice(0, 1000), at });
  session.turns = session.turns.slice(-MAX_TURNS);
}
