import { randomUUID } from 'node:crypto';
import type Keyv from 'keyv';
import { z } from 'zod';
import { RIGHTS, LANGS, type Right, type Lang } from '../domain.js';
import type { Core } from '../core/bot.js';
import { CHANNELS, type Channel, type Reply } from '../core/types.js';
import type { Logger } from '../log/logger.js';
import { backoff } from '../ops/backoff.js';
import type { Store } from '../state/store.js';
import type { Failure, RequestApiClient } from './client.js';
import { addCalendarMonth, newRequestSchema, REQUEST_STATUSES, type Created, type NewRequest, type RequestStatus } from './contract.js';
import { acceptedReplies, rejectedReplies } from './messages.js';

/**
 * The durable outbox: a confirmed request is written to the store before anything is sent, then
 * sent until the API accepts or refuses it, across restarts. The Idempotency-Key makes every
 * retry (and a second instance resuming the same item) safe.
 */

const itemSchema = z.object({
  id: z.string(),
  idempotencyKey: z.string(),
  channel: z.enum(CHANNELS),
  chatId: z.string(),
  lang: z.enum(LANGS),
  type: z.enum(RIGHTS),
  /** The request itself: kept only until the API has it (data minimisation). */
  request: newRequestSchema.optional(),
  receivedAt: z.string(),
  state: z.enum(['pending', 'accepted', 'rejected']),
  attempts: z.number().int().nonnegative(),
  ref: z.string().optional(),
  apiStatus: z.enum(REQUEST_STATUSES).optional(),
  dueAt: z.string().optional(),
  rejection: z.object({ status: z.number(), code: z.string() }).optional(),
  /** The customer has been told the outcome. */
  notified: z.boolean().default(false),
  notifyTries: z.number().int().nonnegative().default(0),
  /** The user ran /forget while it was pending: delete it once delivered. */
  forgotten: z.boolean().default(false),
});
export type OutboxItem = z.infer<typeof itemSchema>;

export interface OutboxOptions {
  store: Store;
  client: RequestApiClient;
  core: Pick<Core, 'events' | 'i18n' | 'push'>;
  log: Logger;
  /** First retry waits up to this; doubles per attempt (full jitter). */
  baseMs: number;
  /** Cap of one backoff wait (a longer Retry-After is still obeyed). */
  maxMs: number;
  /** How long a delivered item (reference, status) is kept for /status. */
  retentionMs: number;
  timeZone: string;
  /** How long one instance holds an item while sending it (longer than one API call). */
  leaseMs: number;
}

export interface NewItem {
  channel: Channel;
  chatId: string;
  lang: Lang;
  request: NewRequest;
}

/** A request as the status command and staff see it. */
export interface RequestView {
  id: string;
  type: Right;
  ref?: string;
  /** `sending` until the API has accepted it. */
  status: 'sending' | 'not_accepted' | RequestStatus;
  dueAt: string;
  channel: Channel;
}

const NOTIFY_TRIES = 5;
/** The first send waits a moment so the "recorded" reply reaches the chat before the reference. */
const FIRST_SEND_DELAY_MS = 300;

export class Outbox {
  private readonly items: Keyv<OutboxItem>;
  /** One key per undelivered item: the resume index (a key per id, so instances never race on a list). */
  private readonly pending: Keyv<number>;
  /** Which instance is sending an item right now: keeps instances sharing Redis from sending (and notifying) twice. */
  private readonly leases: Keyv<string>;
  private readonly instance = randomUUID();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly inflight = new Map<string, Promise<void>>();
  private running = false;

  constructor(private readonly opts: OutboxOptions) {
    this.items = opts.store.kv<OutboxItem>('outbox');
    this.pending = opts.store.kv<number>('outbox-pending');
    this.leases = opts.store.kv<string>('outbox-lease');
  }

  async start(): Promise<void> {
    this.running = true;
    let resumed = 0;
    for await (const [id, at] of this.pending.iterator?.(undefined) ?? []) {
      if (typeof id !== 'string') continue;
      this.schedule(id, Math.max(0, (typeof at === 'number' ? at : 0) - Date.now()));
      resumed++;
    }
    if (resumed) this.opts.log.info({ count: resumed }, 'outbox: resuming undelivered requests');
  }

  /** Stops scheduling and waits for sends in flight; undelivered items stay for the next start. */
  async stop(): Promise<void> {
    this.running = false;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await Promise.all([...this.inflight.values()]);
  }

  /** Writes the request durably; throws when the store did not take it, so the customer is never told "recorded" wrongly. */
  async add(input: NewItem): Promise<OutboxItem> {
    const now = Date.now();
    const item = itemSchema.parse({
      id: randomUUID(),
      idempotencyKey: randomUUID(),
      channel: input.channel,
      chatId: input.chatId,
      lang: input.lang,
      type: input.request.type,
      request: input.request,
      receivedAt: input.request.submittedAt,
      state: 'pending',
      attempts: 0,
    });
    // Index first: an index entry without its item is dropped at the next attempt, an item without one would never be sent.
    if (!(await this.pending.set(item.id, now))) throw new Error('outbox: store refused the index');
    if (!(await this.items.set(item.id, item))) throw new Error('outbox: store refused the item');
    this.opts.log.info({ requestId: item.id, type: item.type }, 'request recorded');
    this.opts.core.events.emit('request.created', {
      id: item.id,
      type: item.type,
      channel: item.channel,
      dueAt: addCalendarMonth(new Date(item.receivedAt)).toISOString(),
    });
    this.schedule(item.id, FIRST_SEND_DELAY_MS);
    return item;
  }

  async get(id: string): Promise<OutboxItem | undefined> {
    const parsed = itemSchema.safeParse(await this.items.get(id));
    return parsed.success ? parsed.data : undefined;
  }

  /** Items of one user, refreshed from the API where it has them (last known status if it cannot be reached). */
  async statusOf(ids: string[]): Promise<{ views: RequestView[]; stale: boolean }> {
    let stale = false;
    const items = await Promise.all(
      ids.map(async (id) => {
        const item = await this.get(id);
        if (item?.state !== 'accepted' || !item.ref) return item;
        const res = await this.opts.client.get(item.ref);
        if (!res.ok) {
          stale = true;
          return item;
        }
        const fresh = { ...item, apiStatus: res.value.status, dueAt: res.value.dueAt };
        await this.items.set(item.id, fresh, this.opts.retentionMs);
        return fresh;
      }),
    );
    return { views: items.filter((i) => i !== undefined).map(view), stale };
  }

  /** Every request not finished yet, for staff (`/privacy requests`): ids, types, statuses and due dates only. */
  async listOpen(): Promise<RequestView[]> {
    const open: RequestView[] = [];
    for await (const [, value] of this.items.iterator?.(undefined) ?? []) {
      const parsed = itemSchema.safeParse(value);
      if (!parsed.success) continue;
      const v = view(parsed.data);
      if (v.status === 'sending' || v.status === 'received' || v.status === 'in_progress') open.push(v);
    }
    return open.sort((a, b) => a.dueAt.localeCompare(b.dueAt));
  }

  /** /forget: drop what we keep; a pending request is still delivered (the customer confirmed it), then dropped. */
  async forget(ids: string[]): Promise<void> {
    for (const id of ids) {
      const item = await this.get(id);
      if (!item) continue;
      if (item.state === 'pending') await this.items.set(id, { ...item, forgotten: true });
      else await this.items.delete(id);
    }
  }

  private schedule(id: string, delayMs: number): void {
    if (!this.running) return;
    clearTimeout(this.timers.get(id));
    const timer = setTimeout(() => this.fire(id), delayMs);
    timer.unref();
    this.timers.set(id, timer);
  }

  private fire(id: string): void {
    this.timers.delete(id);
    if (this.inflight.has(id)) return this.schedule(id, 50);
    const run = this.leased(id)
      .catch((err: unknown) => {
        this.opts.log.error({ requestId: id, err: err instanceof Error ? err.message : 'unknown' }, 'outbox: attempt failed');
        this.schedule(id, this.opts.baseMs);
      })
      .finally(() => this.inflight.delete(id));
    this.inflight.set(id, run);
  }

  /**
   * Best effort without compare-and-set (keyv has none): write our claim, read it back, and let
   * the last writer win. Two instances may still both send now and then; the Idempotency-Key
   * makes that harmless.
   */
  private async leased(id: string): Promise<void> {
    const holder = await this.leases.get(id);
    if (holder && holder !== this.instance) return this.schedule(id, this.opts.leaseMs);
    await this.leases.set(id, this.instance, this.opts.leaseMs);
    await new Promise((r) => setTimeout(r, 20));
    if ((await this.leases.get(id)) !== this.instance) return this.schedule(id, this.opts.leaseMs);
    try {
      await this.attempt(id);
    } finally {
      await this.leases.delete(id);
    }
  }

  private async attempt(id: string): Promise<void> {
    const item = await this.get(id);
    if (!item) {
      // add() writes the index entry just before the item: a young entry may still be getting its item.
      const since = await this.pending.get(id);
      if (typeof since !== 'number' || Date.now() - since > 60_000) await this.pending.delete(id);
      return;
    }
    if (item.state !== 'pending' || !item.request) {
      if (!item.notified) return this.notify(item);
      await this.pending.delete(id);
      return;
    }
    const res = await this.opts.client.create(item.request, item.idempotencyKey);
    if (res.ok) return this.accepted(item, res.value);
    if (res.kind === 'permanent') return this.rejected(item, res.status, res.code);
    return this.retry(item, res);
  }

  /** A /forget may have marked the item while it was being sent. */
  private async forgottenMeanwhile(item: OutboxItem): Promise<boolean> {
    return item.forgotten || (await this.get(item.id))?.forgotten === true;
  }

  private async accepted(item: OutboxItem, created: Created): Promise<void> {
    const done: OutboxItem = { ...item, forgotten: await this.forgottenMeanwhile(item), state: 'accepted', request: undefined, ref: created.id, apiStatus: created.status, dueAt: created.dueAt, attempts: item.attempts + 1 };
    await this.save(done);
    this.opts.log.info({ requestId: item.id, ref: created.id, attempts: done.attempts }, 'request accepted by the request API');
    this.opts.core.events.emit('request.accepted', { id: item.id, type: item.type, channel: item.channel, ref: created.id, dueAt: created.dueAt });
    await this.notify(done);
  }

  private async rejected(item: OutboxItem, status: number, code: string): Promise<void> {
    const done: OutboxItem = { ...item, forgotten: await this.forgottenMeanwhile(item), state: 'rejected', request: undefined, rejection: { status, code }, attempts: item.attempts + 1 };
    await this.save(done);
    this.opts.log.warn({ requestId: item.id, status, code }, 'request refused by the request API');
    this.opts.core.events.emit('request.rejected', { id: item.id, type: item.type, channel: item.channel, status, code });
    await this.notify(done);
  }

  private async retry(item: OutboxItem, failure: Exclude<Failure, { kind: 'permanent' }>): Promise<void> {
    const attempts = item.attempts + 1;
    const retryAfter = failure.kind === 'retryable' ? failure.retryAfterMs : undefined;
    const delay = backoff(attempts, this.opts.baseMs, this.opts.maxMs, retryAfter);
    const next: OutboxItem = { ...item, forgotten: await this.forgottenMeanwhile(item), attempts };
    await this.items.set(item.id, next);
    await this.pending.set(item.id, Date.now() + delay);
    const { reason } = failure;
    this.opts.log.warn({ requestId: item.id, attempt: attempts, status: failure.status, reason, retryInMs: delay }, 'request not delivered yet; will retry');
    this.opts.core.events.emit('request.retry', { id: item.id, attempt: attempts, reason });
    this.schedule(item.id, delay);
  }

  private async save(item: OutboxItem): Promise<void> {
    if (!(await this.items.set(item.id, item, this.opts.retentionMs))) throw new Error('outbox: store refused the update');
  }

  /**
   * Tells the customer the outcome. The index entry goes only once they were told, so a channel
   * that is down (or a shutdown) delays the message instead of losing it; a few tries, though,
   * since a user who blocked the bot can never be told (/status still shows it).
   */
  private async notify(item: OutboxItem): Promise<void> {
    const t = this.opts.core.i18n.getFixedT(item.lang);
    const replies: Reply[] =
      item.state === 'accepted' ? acceptedReplies(t, item, this.opts.timeZone) : rejectedReplies(t, item);
    let told = true;
    try {
      await this.opts.core.push(item.channel, item.chatId, replies);
    } catch (err) {
      told = false;
      this.opts.log.warn({ requestId: item.id, err: err instanceof Error ? err.message : 'unknown', tries: item.notifyTries + 1 }, 'could not tell the customer yet');
    }
    if (!told && item.notifyTries + 1 < NOTIFY_TRIES) {
      const notifyTries = item.notifyTries + 1;
      await this.save({ ...item, notifyTries });
      this.schedule(item.id, backoff(notifyTries, this.opts.baseMs, this.opts.maxMs));
      return;
    }
    if (item.forgotten) await this.items.delete(item.id);
    else await this.save({ ...item, notified: true });
    await this.pending.delete(item.id);
  }
}

function view(item: OutboxItem): RequestView {
  const status = item.state === 'pending' ? 'sending' : item.state === 'rejected' ? 'not_accepted' : (item.apiStatus ?? 'received');
  return {
    id: item.id,
    type: item.type,
    ...(item.ref && { ref: item.ref }),
    status,
    dueAt: item.dueAt ?? addCalendarMonth(new Date(item.receivedAt)).toISOString(),
    channel: item.channel,
  };
}
