import type { i18n } from 'i18next';
import type { Logger } from 'pino';
import type { Ctx, Middleware } from '../core/bot.js';
import { ErrorCode, isRetryable, ThunderError } from '../core/errors.js';
import type { CoreEmitter } from '../core/events.js';
import type { Session } from '../core/session.js';
import type { Button, Channel, Reply } from '../core/types.js';
import type { Lang } from '../domain.js';
import { formatMoment, formatWhen } from '../i18n/dates.js';
import type { Contacts } from './contacts.js';
import type { Desk, DeskNote, RequestNotice } from './desk.js';
import { isOpen, nextOpening, type SupportHours } from './hours.js';
import type { Space } from '../state/port.js';
import type { Queue } from '../state/queue.js';
import { Relay } from './relay.js';
import { newTicketId, Tickets, type Ticket } from './tickets.js';

export type TicketAction = 'claim' | 'resolve';
export type ActionResult = { ok: true; ticket: Ticket } | { ok: false; reason: 'missing' | 'resolved' | 'claimed' };

export interface EscalationDeps {
  tickets: Space<unknown>;
  /** The app's durable job queue: relayed messages go through it. */
  queue: Queue;
  log: Logger;
  i18n: i18n;
  events: CoreEmitter;
  /** Delivers replies to a customer's chat outside a turn (the core's senders). */
  push(channel: Channel, chatId: string, replies: Reply[]): Promise<void>;
  /** Changes a customer's stored session in that customer's queue (the core's). */
  editSession(key: string, edit: (session: Session) => boolean): Promise<void>;
  hours: SupportHours;
  /** First retry of a relayed message; doubles per attempt. */
  relayRetryBaseMs: number;
  /** Where tickets go (the Slack support channel); without one, customers get the company's contacts. */
  desk: Desk | undefined;
  /** The company's e-mail and phone: a policy fact, from the knowledge base. */
  contacts: Contacts;
  /** Whether the bot answers this turn's text from the policy (it does so while the customer waits for a person). */
  answersFromPolicy?: (ctx: Ctx) => boolean;
}

/** Commands that keep working while a person has the conversation: they only read or change the bot's side. */
const KEPT_COMMANDS = new Set(['start', 'help', 'language', 'topics', 'status', 'version']);
/** Buttons that keep working likewise: the language, the policy's topics and its answers. */
const KEPT_BUTTONS = /^(lang|topic|a):/;
/** The customer hears "passed on" at most this often: silence looks broken, one notice per message is noise. */
const ACK_EVERY_MS = 10 * 60_000;

/**
 * Hands a customer over to a human: tickets, the relay between the customer's chat and the
 * desk's thread, and claim/resolve.
 */
export class Escalation {
  readonly tickets: Tickets;
  readonly relay: Relay;
  readonly hours: SupportHours;
  readonly contacts: Contacts;
  private readonly desk: Desk | undefined;

  constructor(private readonly deps: EscalationDeps) {
    this.tickets = new Tickets(deps.tickets);
    this.relay = new Relay(deps.queue, { baseDelayMs: deps.relayRetryBaseMs });
    this.hours = deps.hours;
    this.desk = deps.desk;
    this.contacts = deps.contacts;
    this.relay.on('post', (d) => this.postTicket(d as { id: string }));
    this.relay.on('update', (d) => this.withDesk(d as { id: string }, (desk, t) => desk.updateTicket(t)));
    this.relay.on('note', (d) => {
      const { id, note } = d as { id: string; note: DeskNote };
      return this.withDesk({ id }, async (desk, t) => {
        const ts = await desk.postToThread(t, note);
        if (note.kind === 'customer' && ts) await this.keepPost(desk, id, ts);
      });
    });
    this.relay.on('erase', (d) => {
      const { id, posts } = d as { id: string; posts: string[] };
      return this.withDesk({ id }, async (desk, t) => {
        const kept = await desk.deletePosts(t, posts);
        await desk.postToThread(t, { kind: 'forgotten', kept: kept.length });
      });
    });
    this.relay.on('push', (d) => {
      const { channel, chatId, replies } = d as Pick<Ticket, 'channel' | 'chatId'> & { replies: Reply[] };
      return deps.push(channel, chatId, replies);
    });
    this.relay.on('announce', (d) => this.requireDesk().announceRequest(d as RequestNotice));
  }

  readonly middleware: Middleware = async (ctx, next) => {
    const id = ctx.session.ticketId;
    const ticket = id ? await this.tickets.get(id) : undefined;
    // The ticket's own status decides, so a resolve that raced with this turn still hands back.
    if (id && (!ticket || ticket.status === 'resolved')) delete ctx.session.ticketId;
    const forgetting = ctx.command === 'forget' || ctx.msg.button?.startsWith('forget:');
    if (ticket && ticket.status !== 'resolved' && !forgetting) return this.fromCustomer(ctx, ticket, next);
    if (ctx.command === 'human') return this.open(ctx);
    if (ctx.command === 'leave') return ctx.reply({ text: ctx.t('escalation:notConnected'), buttons: [[this.topicsButton(ctx)]] });
    return next();
  };

  private async open(ctx: Ctx): Promise<void> {
    if (!this.desk) return ctx.reply(`${ctx.t('escalation:unavailable')} ${this.contactText(ctx.lang)}`);
    const now = new Date();
    const expectedAt = isOpen(now, this.hours) ? undefined : nextOpening(now, this.hours).getTime();
    const ticket: Ticket = {
      id: newTicketId(),
      key: ctx.key,
      channel: ctx.msg.channel,
      chatId: ctx.msg.chatId,
      lang: ctx.lang,
      status: 'open',
      createdAt: now.getTime(),
      ackedAt: 0,
      erased: false,
      left: false,
      posts: [],
      turns: ctx.session.turns.slice(),
      ...(expectedAt ? { expectedAt } : {}),
    };
    await this.tickets.save(ticket);
    ctx.session.ticketId = ticket.id;
    ctx.session.unanswered = 0;
    await this.relay.enqueue(`desk:${ticket.id}`, 'post', { id: ticket.id });
    // Outside support hours the ticket still opens (staff see it first thing), and the customer hears when it is read.
    if (expectedAt)
      ctx.reply({
        text: ctx.t('escalation:openedOffHours', { id: ticket.id, when: this.formatWhen(expectedAt, ctx.lang) }),
        buttons: [[this.topicsButton(ctx)], [this.leaveButton(ctx)]],
      });
    else ctx.reply({ text: ctx.t('escalation:opened', { id: ticket.id }), buttons: [[this.leaveButton(ctx)]] });
    this.deps.events.emit('escalation.opened', { channel: ctx.msg.channel, ticketId: ticket.id });
  }

  /**
   * While a ticket is open, what the customer writes goes to the agent; commands and buttons that
   * only concern the bot (help, language, topics, status) keep working, and /leave ends the hand-off.
   */
  private async fromCustomer(ctx: Ctx, ticket: Ticket, next: () => Promise<void>): Promise<void> {
    const { command } = ctx;
    const { button } = ctx.msg;
    if (command === 'human')
      return ctx.reply({ text: ctx.t('escalation:alreadyOpen', { id: ticket.id }), buttons: [[this.leaveButton(ctx)]] });
    if (command === 'leave') return this.leave(ctx, ticket);
    if ((command && KEPT_COMMANDS.has(command)) || (!command && button && KEPT_BUTTONS.test(button))) return this.bot(ctx, ticket, next);
    if (command || button) return ctx.reply({ text: ctx.t('escalation:withAgent'), buttons: [[this.leaveButton(ctx)]] });
    if (ctx.msg.unsupported) {
      await this.relay.enqueue(`desk:${ticket.id}`, 'note', { id: ticket.id, note: { kind: 'unsupported', what: ctx.msg.unsupported } });
      return ctx.reply(ctx.t('escalation:textOnly'));
    }
    const text = ctx.msg.text?.trim();
    if (!text) return;
    await this.relay.enqueue(`desk:${ticket.id}`, 'note', { id: ticket.id, note: { kind: 'customer', text } });
    const now = Date.now();
    if (now - ticket.ackedAt >= ACK_EVERY_MS) {
      await this.tickets.update(ticket.id, (t) => {
        t.ackedAt = now;
      });
      ctx.reply(this.ack(ctx));
    }
    // Until a person joins, a question the policy answers is answered at once too.
    if (ticket.status === 'open' && this.deps.answersFromPolicy?.(ctx)) return this.bot(ctx, ticket, next);
  }

  private ack(ctx: Ctx): string {
    const now = new Date();
    if (isOpen(now, this.hours)) return ctx.t('escalation:relayed');
    return ctx.t('escalation:relayedOffHours', { when: this.formatWhen(nextOpening(now, this.hours).getTime(), ctx.lang) });
  }

  /** The bot handles this turn; a language switched meanwhile is the language of the agent's relayed replies too. */
  private async bot(ctx: Ctx, ticket: Ticket, next: () => Promise<void>): Promise<void> {
    await next();
    if (ctx.lang !== ticket.lang) {
      const lang = ctx.lang;
      await this.tickets.update(ticket.id, (t) => {
        t.lang = lang;
      });
    }
  }

  /** The customer ends the hand-off: the ticket closes, the desk is told, the bot answers again. */
  private async leave(ctx: Ctx, ticket: Ticket): Promise<void> {
    let closed = false;
    await this.tickets.update(ticket.id, (t) => {
      if (t.status === 'resolved') return;
      Object.assign(t, { status: 'resolved', left: true });
      closed = true;
    });
    delete ctx.session.ticketId;
    if (closed) {
      // In the desk's queue, so they follow the ticket's post even when it is still on its way.
      await this.relay.enqueue(`desk:${ticket.id}`, 'update', { id: ticket.id });
      await this.relay.enqueue(`desk:${ticket.id}`, 'note', { id: ticket.id, note: { kind: 'left' } });
    }
    ctx.reply({ text: ctx.t('escalation:left'), buttons: [[this.topicsButton(ctx)]] });
  }

  private leaveButton(ctx: Ctx): Button {
    return { label: ctx.t('escalation:leaveButton'), data: 'cmd:leave' };
  }

  private topicsButton(ctx: Ctx): Button {
    return { label: ctx.t('conversation:browseTopics'), data: 'cmd:topics' };
  }

  /** Remembers a relayed customer message's ts for /forget; one posted after a /forget goes at once. */
  private async keepPost(desk: Desk, id: string, ts: string): Promise<void> {
    const ticket = await this.tickets.update(id, (t) => {
      if (!t.erased) t.posts.push(ts);
    });
    if (ticket?.erased) await desk.deletePosts(ticket, [ts]);
  }

  /** An agent's reply in the ticket thread; false when the thread is no open ticket. The first reply claims it. */
  async fromAgent(deskChannel: string, threadTs: string, text: string, agent: string): Promise<boolean> {
    const ticket = await this.tickets.byThread(deskChannel, threadTs);
    if (!ticket || ticket.status === 'resolved') return false;
    if (ticket.status === 'open') await this.act(ticket.id, 'claim', agent);
    await this.toCustomer(ticket, { text: this.t(ticket)('escalation:agentReply', { text }), human: true });
    return true;
  }

  async act(id: string, action: TicketAction, agent: string): Promise<ActionResult> {
    let refused: 'resolved' | 'claimed' | undefined;
    // Decided inside the serialised update, so two agents pressing Claim at once cannot both win.
    const ticket = await this.tickets.update(id, (t) => {
      if (t.status === 'resolved') refused = 'resolved';
      else if (action === 'claim' && t.status === 'claimed') refused = 'claimed';
      else if (action === 'claim') Object.assign(t, { status: 'claimed', claimedBy: agent });
      else Object.assign(t, { status: 'resolved', resolvedBy: agent });
    });
    if (!ticket) return { ok: false, reason: 'missing' };
    if (refused) return { ok: false, reason: refused };
    await this.relay.enqueue(`desk:${id}`, 'update', { id });
    if (action === 'claim') {
      await this.toCustomer(ticket, { text: this.t(ticket)('escalation:agentJoined') });
    } else {
      await this.toCustomer(ticket, { text: this.t(ticket)('escalation:resolved') });
      await this.clearSession(ticket);
    }
    return { ok: true, ticket };
  }

  /** /forget: the ticket closes, queued messages go, and the Slack message stops showing the conversation. */
  async forget(ticketId: string): Promise<void> {
    await this.relay.drop([`desk:${ticketId}`, `customer:${ticketId}`]);
    let posts: string[] = [];
    const ticket = await this.tickets.update(ticketId, (t) => {
      posts = t.posts;
      t.status = 'resolved';
      t.erased = true;
      t.turns = [];
      t.posts = [];
      t.key = '';
      t.chatId = '';
    });
    if (ticket?.desk) {
      await this.relay.enqueue(`desk:${ticketId}`, 'update', { id: ticketId });
      // The bot's posts of the customer's words go from the thread too; the note says if any could not.
      await this.relay.enqueue(`desk:${ticketId}`, 'erase', { id: ticketId, posts });
    }
  }

  /**
   * A channel cannot reach the customer (Meta's 24-hour window, messages turned off): the open
   * ticket's thread gets a note, or a new ticket hands the conversation to the desk with it.
   * `lang` is used when the customer has no session.
   */
  async unreachable(
    customer: Pick<Ticket, 'key' | 'channel' | 'chatId' | 'lang'>,
    note: Extract<DeskNote, { kind: 'unreachable' }>,
  ): Promise<void> {
    let session: Session | undefined;
    await this.deps.editSession(customer.key, (s) => {
      session = s;
      return false;
    });
    const current = session?.ticketId ? await this.tickets.get(session.ticketId) : undefined;
    if (current && current.status !== 'resolved') {
      await this.relay.enqueue(`desk:${current.id}`, 'note', { id: current.id, note });
      return;
    }
    if (!this.desk) {
      this.deps.log.warn({ channel: customer.channel, reason: note.reason }, 'escalation: customer unreachable and no desk to tell');
      return;
    }
    const ticket: Ticket = {
      id: newTicketId(),
      ...customer,
      lang: session?.lang ?? customer.lang,
      status: 'open',
      createdAt: Date.now(),
      ackedAt: Date.now(),
      erased: false,
      left: false,
      posts: [],
      turns: session?.turns.slice() ?? [],
    };
    await this.tickets.save(ticket);
    await this.deps.editSession(customer.key, (s) => {
      s.ticketId = ticket.id;
      return true;
    });
    await this.relay.enqueue(`desk:${ticket.id}`, 'post', { id: ticket.id });
    await this.relay.enqueue(`desk:${ticket.id}`, 'note', { id: ticket.id, note });
    this.deps.events.emit('escalation.opened', { channel: customer.channel, ticketId: ticket.id });
  }

  async announceRequest(notice: RequestNotice): Promise<void> {
    if (this.desk) await this.relay.enqueue('desk:requests', 'announce', notice);
  }

  formatTime(at: number, lang: Lang): string {
    return formatMoment(at, lang, this.hours.timeZone);
  }

  /** The moment as it reads inside a customer's sentence ("…sestdien, 12. decembrī, plkst. 10.00"). */
  formatWhen(at: number, lang: Lang): string {
    return formatWhen(at, lang, this.hours.timeZone);
  }

  /** A person can join a chat now: a desk is configured and support is at work. Only then is one offered. */
  available(now = new Date()): boolean {
    return this.desk !== undefined && isOpen(now, this.hours);
  }

  /** Where no person can join: the company's e-mail and phone, and how to write to it. */
  contactText(lang: Lang): string {
    return this.deps.i18n.getFixedT(lang)('escalation:contacts', { ...this.contacts });
  }

  private t(ticket: Ticket) {
    return this.deps.i18n.getFixedT(ticket.lang);
  }

  private toCustomer(ticket: Ticket, ...replies: Reply[]): Promise<void> {
    return this.relay.enqueue(`customer:${ticket.id}`, 'push', { channel: ticket.channel, chatId: ticket.chatId, replies });
  }

  /** Hands the customer back to the bot now; the middleware also checks the status, in case a turn raced. */
  private clearSession(ticket: Ticket): Promise<void> {
    return this.deps.editSession(ticket.key, (session) => {
      if (session.ticketId !== ticket.id) return false;
      delete session.ticketId;
      return true;
    });
  }

  private requireDesk(): Desk {
    if (!this.desk) throw new ThunderError(ErrorCode.JobUndeliverable, 'no desk');
    return this.desk;
  }

  private async postTicket({ id }: { id: string }): Promise<void> {
    const ticket = await this.tickets.get(id);
    if (!ticket || ticket.erased || ticket.desk) return;
    try {
      const desk = await this.requireDesk().postTicket(ticket);
      await this.tickets.update(id, (t) => {
        t.desk = desk;
      });
    } catch (err) {
      if (!isRetryable(err)) await this.undeliverable(ticket);
      throw err;
    }
  }

  /** Slack refuses the ticket for good (no such channel, app not invited): the customer must not wait for nobody. */
  private async undeliverable(ticket: Ticket): Promise<void> {
    this.deps.log.error(
      { ticketId: ticket.id },
      'escalation: the support channel refused the ticket; check SLACK_SUPPORT_CHANNEL and invite the app',
    );
    await this.tickets.update(ticket.id, (t) => {
      t.status = 'resolved';
    });
    await this.clearSession(ticket);
    await this.toCustomer(ticket, { text: `${this.t(ticket)('escalation:undeliverable')} ${this.contactText(ticket.lang)}` });
  }

  private async withDesk({ id }: { id: string }, run: (desk: Desk, ticket: Ticket) => Promise<void>): Promise<void> {
    const ticket = await this.tickets.get(id);
    if (!ticket?.desk) throw new ThunderError(ErrorCode.JobUndeliverable, 'ticket not posted');
    await run(this.requireDesk(), ticket);
  }
}
