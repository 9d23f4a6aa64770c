import type { App } from '../app.js';
import type { Ctx, Middleware } from '../core/bot.js';
import { parseSession } from '../core/session.js';
import type { Reply } from '../core/types.js';
import type { Desk, DeskNote, RequestNotice } from './desk.js';
import { isOpen, nextOpening, parseSupportHours, type SupportHours } from './hours.js';
import { isPermanent, PermanentError, Relay } from './relay.js';
import { newTicketId, Tickets, type Ticket } from './tickets.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export type TicketAction = 'claim' | 'resolve';
export type ActionResult = { ok: true; ticket: Ticket } | { ok: false; reason: 'missing' | 'resolved' | 'claimed' };

/**
 * Hands a customer over to a human: tickets, the relay between the customer's chat and the
 * Slack thread, and claim/resolve. The Slack adapter attaches itself as the desk.
 */
export class Escalation {
  readonly tickets: Tickets;
  readonly relay: Relay;
  readonly hours: SupportHours;
  private desk: Desk | undefined;

  constructor(private readonly app: App) {
    const ttl = app.config.STATE_TTL_DAYS * DAY_MS;
    this.tickets = new Tickets(app.store.kv('ticket', ttl));
    this.relay = new Relay(app.queue, { baseDelayMs: app.config.RELAY_RETRY_BASE_MS });
    this.hours = parseSupportHours(app.config.SUPPORT_HOURS, app.config.SUPPORT_TIMEZONE);
    this.relay.on('post', (d) => this.postTicket(d as { id: string }));
    this.relay.on('update', (d) => this.withDesk(d as { id: string }, (desk, t) => desk.updateTicket(t)));
    this.relay.on('note', (d) => {
      const { id, note } = d as { id: string; note: DeskNote };
      return this.withDesk({ id }, (desk, t) => desk.postToThread(t, note));
    });
    this.relay.on('push', (d) => {
      const { channel, chatId, replies } = d as Pick<Ticket, 'channel' | 'chatId'> & { replies: Reply[] };
      return app.core.push(channel, chatId, replies);
    });
    this.relay.on('announce', (d) => this.requireDesk().announceRequest(d as RequestNotice));
  }

  attachDesk(desk: Desk): void {
    this.desk = desk;
  }

  readonly middleware: Middleware = async (ctx, next) => {
    const id = ctx.session.ticketId;
    const ticket = id ? await this.tickets.get(id) : undefined;
    // The ticket's own status decides, so a resolve that raced with this turn still hands back.
    if (id && (!ticket || ticket.status === 'resolved')) delete ctx.session.ticketId;
    const forgetting = ctx.command === 'forget' || ctx.msg.button?.startsWith('forget:');
    if (ticket && ticket.status !== 'resolved' && !forgetting) return this.fromCustomer(ctx, ticket);
    if (ctx.command === 'human') return this.open(ctx);
    await next();
    if (ctx.session.unanswered === 2 && !ctx.session.ticketId) {
      ctx.reply({ text: ctx.t('escalation:offer'), buttons: [[{ label: ctx.t('escalation:offerButton'), data: 'cmd:human' }]] });
    }
  };

  private async open(ctx: Ctx): Promise<void> {
    if (!this.desk) {
      ctx.reply(ctx.t('escalation:unavailable'));
      for (const r of this.contacts(ctx.lang)) ctx.reply(r);
      return;
    }
    const now = new Date();
    const expectedAt = isOpen(now, this.hours) ? undefined : nextOpening(now, this.hours).getTime();
    const ticket: Ticket = {
      id: newTicketId(), key: ctx.key, channel: ctx.msg.channel, chatId: ctx.msg.chatId, lang: ctx.lang, status: 'open',
      createdAt: now.getTime(), acked: false, erased: false, turns: ctx.session.turns.slice(),
      ...(expectedAt ? { expectedAt } : {}),
    };
    await this.tickets.save(ticket);
    ctx.session.ticketId = ticket.id;
    ctx.session.unanswered = 0;
    await this.relay.enqueue(`desk:${ticket.id}`, 'post', { id: ticket.id });
    ctx.reply(ctx.t('escalation:opened', { id: ticket.id }));
    if (expectedAt) ctx.reply(ctx.t('escalation:offHours', { when: this.formatTime(expectedAt, ctx.lang) }));
    this.app.core.events.emit('escalation.opened', { channel: ctx.msg.channel, ticketId: ticket.id });
  }

  /** While a ticket is open, the customer talks to the agent, not to the bot. */
  private async fromCustomer(ctx: Ctx, ticket: Ticket): Promise<void> {
    if (ctx.command === 'human') return ctx.reply(ctx.t('escalation:alreadyOpen', { id: ticket.id }));
    if (ctx.msg.unsupported) {
      await this.relay.enqueue(`desk:${ticket.id}`, 'note', { id: ticket.id, note: { kind: 'unsupported', what: ctx.msg.unsupported } });
      return ctx.reply(ctx.t('escalation:textOnly'));
    }
    const text = ctx.msg.text?.trim();
    if (!text) return ctx.reply(ctx.t('escalation:withAgent'));
    await this.relay.enqueue(`desk:${ticket.id}`, 'note', { id: ticket.id, note: { kind: 'customer', text } });
    if (!ticket.acked) {
      await this.tickets.update(ticket.id, (t) => void (t.acked = true));
      ctx.reply(ctx.t('escalation:relayed'));
    }
  }

  /** An agent's reply in the ticket thread; false when the thread is no open ticket. The first reply claims it. */
  async fromAgent(deskChannel: string, threadTs: string, text: string, agent: string): Promise<boolean> {
    const ticket = await this.tickets.byThread(deskChannel, threadTs);
    if (!ticket || ticket.status === 'resolved') return false;
    if (ticket.status === 'open') await this.act(ticket.id, 'claim', agent);
    await this.toCustomer(ticket, { text: this.t(ticket)('escalation:agentReply', { text }) });
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
    const ticket = await this.tickets.update(ticketId, (t) => {
      t.status = 'resolved';
      t.erased = true;
      t.turns = [];
      t.key = '';
      t.chatId = '';
    });
    if (ticket?.desk) {
      await this.relay.enqueue(`desk:${ticketId}`, 'update', { id: ticketId });
      await this.relay.enqueue(`desk:${ticketId}`, 'note', { id: ticketId, note: { kind: 'forgotten' } });
    }
  }

  async announceRequest(notice: RequestNotice): Promise<void> {
    if (this.desk) await this.relay.enqueue('desk:requests', 'announce', notice);
  }

  formatTime(at: number, lang: 'lv' | 'en'): string {
    return new Intl.DateTimeFormat(lang === 'lv' ? 'lv-LV' : 'en-GB', {
      timeZone: this.hours.timeZone, weekday: 'long', day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit',
    }).format(at);
  }

  /** The company's contacts are a policy fact: they come from the knowledge base, never from code. */
  private contacts(lang: 'lv' | 'en'): Reply[] {
    const entry = this.app.engine.kb.entries.get('controller');
    return entry ? [{ text: entry.answer[lang], section: entry.section.title[lang] }] : [];
  }

  private t(ticket: Ticket) {
    return this.app.core.i18n.getFixedT(ticket.lang);
  }

  private toCustomer(ticket: Ticket, ...replies: Reply[]): Promise<void> {
    return this.relay.enqueue(`customer:${ticket.id}`, 'push', { channel: ticket.channel, chatId: ticket.chatId, replies });
  }

  /** Hands the customer back to the bot now; the middleware also checks the status, in case a turn raced. */
  private async clearSession(ticket: Ticket): Promise<void> {
    const raw = await this.app.core.sessions.get(ticket.key);
    if (!raw) return;
    const session = parseSession(raw);
    if (session.ticketId !== ticket.id) return;
    delete session.ticketId;
    await this.app.core.sessions.set(ticket.key, session);
  }

  private requireDesk(): Desk {
    if (!this.desk) throw new PermanentError('no desk');
    return this.desk;
  }

  private async postTicket({ id }: { id: string }): Promise<void> {
    const ticket = await this.tickets.get(id);
    if (!ticket || ticket.erased || ticket.desk) return;
    try {
      const desk = await this.requireDesk().postTicket(ticket);
      await this.tickets.update(id, (t) => void (t.desk = desk));
    } catch (err) {
      if (isPermanent(err)) await this.undeliverable(ticket);
      throw err;
    }
  }

  /** Slack refuses the ticket for good (no such channel, app not invited): the customer must not wait for nobody. */
  private async undeliverable(ticket: Ticket): Promise<void> {
    this.app.log.error({ ticketId: ticket.id }, 'escalation: the support channel refused the ticket; check SLACK_SUPPORT_CHANNEL and invite the app');
    await this.tickets.update(ticket.id, (t) => void (t.status = 'resolved'));
    await this.clearSession(ticket);
    await this.toCustomer(ticket, { text: this.t(ticket)('escalation:undeliverable') }, ...this.contacts(ticket.lang));
  }

  private async withDesk({ id }: { id: string }, run: (desk: Desk, ticket: Ticket) => Promise<void>): Promise<void> {
    const ticket = await this.tickets.get(id);
    if (!ticket?.desk) throw new PermanentError('ticket not posted');
    await run(this.requireDesk(), ticket);
  }
}
