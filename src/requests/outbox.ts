import { z } from 'zod';
import { RIGHTS, LANGS, type Right, type Lang } from '../domain.js';
import type { Core } from '../core/bot.js';
import { ErrorCode, ThunderError } from '../core/errors.js';
import { CHANNELS, type Channel, type Reply } from '../core/types.js';
import type { Logger } from '../log/logger.js';
import type { Space } from '../state/port.js';
import { MissingData, type Queue } from '../state/queue.js';
import type { Store } from '../state/store.js';
import type { RequestApiClient } from './client.js';
import { addCalendarMonth, newRequestSchema, REQUEST_STATUSES, type Created, type NewRequest, type RequestStatus } from './contract.js';
import { acceptedReplies, parkedReplies, rejectedReplies } from './messages.js';

/**
 * The durable outbox: a confirmed request is written to the store before the customer is told
 * "recorded", then sent by a job on the app's queue until the API accepts or refuses it, across
 * restarts and instances. Its id is the idempotency key fixed when the form reached its summary:
 * confirming again (after a crash, on another instance, twice at once) finds the same item.
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
  /** failed: the API kept refusing it (401/403/404/422) for longer than the park time. */
  state: z.enum(['pending', 'accepted', 'rejected', 'failed']),
  attempts: z.number().int().nonnegative(),
  ref: z.string().optional(),
  apiStatus: z.enum(REQUEST_STATUSES).optional(),
  dueAt: z.string().optional(),
  rejection: z.object({ status: z.number(), code: z.string() }).optional(),
  /** When the API first refused it with a status that may be our set-up's fault. */
  refusedSince: z.number().optional(),
  /** The customer has been told the outcome. */
  notified: z.boolean().default(false),
  notifyTries: z.number().int().nonnegative().default(0),
  /** The user ran /forget while it was pending: delete it once delivered (a mark of its own, see `forgotten`). */
  forgotten: z.boolean().default(false),
});
export type OutboxItem = z.infer<typeof itemSchema>;

export interface OutboxOptions {
  store: Store;
  queue: Queue;
  client: RequestApiClient;
  core: Pick<Core, 'events' | 'i18n' | 'push'>;
  log: Logger;
  /** First retry waits up to this; doubles per attempt (full jitter). */
  baseMs: number;
  /** Cap of one backoff wait (a longer Retry-After is still obeyed). */
  maxMs: number;
  /** How long a request (pending or delivered) is kept: the state TTL. */
  retentionMs: number;
  timeZone: string;
  /** A request refused with 401/403/404/422 for this long is parked as failed. */
  parkAfterMs: number;
  /** Where the customer can write when a request could not be filed. */
  companyEmail: string;
}

export interface NewItem {
  /** The submission's identity (fixed at the summary): the item id and the Idempotency-Key. */
  key: string;
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
/** A job may run before its item is written (add() writes the job first); younger than this it waits. */
const ITEM_GRACE_MS = 60_000;
/** Refusals that may be our set-up's fault (token, URL, contract version): retried until parked. */
const REFUSED = new Set([401, 403, 404, 422]);
const SUBMIT = 'request.submit';
const ADD_LOCK_MS = 10_000;

/** Thrown to have the queue try again later (`retryAfterMs`: the server's own wait). */
class NotYet extends ThunderError {
  override name = 'NotYet';
  constructor(reason: string, retryAfterMs?: number) {
    super(ErrorCode.DeliveryFailed, reason, { retryable: true, retryAfterMs });
  }
}

/** Not finished yet: still being filed, or filed and not yet answered by the company. */
export function isOpen(v: RequestView): boolean {
  return v.status === 'sending' || v.status === 'received' || v.status === 'in_progress';
}

export class Outbox {
  private readonly items: Space<OutboxItem>;
  /** /forget marks, apart from the items so a send in flight cannot overwrite one. */
  private readonly forgotten: Space<boolean>;

  constructor(private readonly opts: OutboxOptions) {
    this.items = opts.store.kv<OutboxItem>('outbox', opts.retentionMs);
    this.forgotten = opts.store.kv<boolean>('outbox-forgotten', opts.retentionMs);
    opts.queue.define(SUBMIT, {
      handle: (data, job) => this.run(z.object({ id: z.string() }).parse(data).id, job.createdAt),
      baseDelayMs: opts.baseMs,
      maxDelayMs: opts.maxMs,
    });
  }

  /**
   * Records the request durably and queues its delivery; throws when the store did not take it, so
   * the customer is never told "recorded" wrongly. Idempotent on `input.key`: a second call (any
   * instance, any time within the retention) returns the first item and files nothing new.
   */
  async add(input: NewItem): Promise<OutboxItem> {
    const id = input.key;
    const existing = await this.get(id);
    if (existing) return existing;
    const lock = await this.items.waitLock(`add:${id}`, ADD_LOCK_MS, ADD_LOCK_MS);
    try {
      const raced = await this.get(id);
      if (raced) return raced;
      const item = itemSchema.parse({
        id,
        idempotencyKey: id,
        channel: input.channel,
        chatId: input.chatId,
        lang: input.lang,
        type: input.request.type,
        request: input.request,
        receivedAt: input.request.submittedAt,
        state: 'pending',
        attempts: 0,
      });
      // The job first: a job without its item is logged once the grace is over; an item without a job would never be sent.
      await this.opts.queue.add(SUBMIT, { id }, { group: `request:${id}`, delayMs: FIRST_SEND_DELAY_MS });
      await this.save(item);
      this.opts.log.info({ requestId: item.id, type: item.type }, 'request recorded');
      this.opts.core.events.emit('request.created', {
        id: item.id,
        type: item.type,
        channel: item.channel,
        dueAt: addCalendarMonth(new Date(item.receivedAt)).toISOString(),
      });
      return item;
    } finally {
      await lock.release();
    }
  }

  async get(id: string): Promise<OutboxItem | undefined> {
    const parsed = itemSchema.safeParse(await this.items.get(id));
    if (!parsed.success) return undefined;
    return parsed.data.forgotten || !(await this.forgotten.get(id)) ? parsed.data : { ...parsed.data, forgotten: true };
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
        await this.save(fresh);
        return fresh;
      }),
    );
    return { views: items.filter((i) => i !== undefined).map(view), stale };
  }

  /** Every request not finished yet, for staff (`/privacy requests`): ids, types, statuses and due dates only. */
  async listOpen(): Promise<RequestView[]> {
    const open: RequestView[] = [];
    for await (const [, value] of this.items.iterator()) {
      const parsed = itemSchema.safeParse(value);
      if (!parsed.success) continue;
      const v = view(parsed.data);
      if (isOpen(v)) open.push(v);
    }
    return open.sort((a, b) => a.dueAt.localeCompare(b.dueAt));
  }

  /** Requests not yet accepted or refused by the API, store-wide. */
  async pending(): Promise<number> {
    let n = 0;
    for await (const [, value] of this.items.iterator()) if (itemSchema.safeParse(value).data?.state === 'pending') n++;
    return n;
  }

  /** /forget: drop what we keep; a pending request is still delivered (the customer confirmed it), then dropped. */
  async forget(ids: string[]): Promise<void> {
    for (const id of ids) {
      const item = await this.get(id);
      if (!item) continue;
      if (item.state === 'pending' || !item.notified) await this.forgotten.set(id, true);
      else await this.items.delete(id);
    }
  }

  /** One delivery attempt of the job for item `id`: each step is idempotent, so a retry resumes where it stopped. */
  private async run(id: string, queuedAt: number): Promise<void> {
    const item = await this.get(id);
    if (!item) {
      if (Date.now() - queuedAt < ITEM_GRACE_MS) throw new NotYet('item not written yet');
      throw new MissingData(`request ${id}`);
    }
    if (item.state === 'pending' && item.request) return this.send(item, item.request);
    if (!item.notified) return this.notify(item);
  }

  private async send(item: OutboxItem, request: NewRequest): Promise<void> {
    const res = await this.opts.client.create(request, item.idempotencyKey);
    if (res.ok) return this.accepted(item, res.value);
    const status = 'status' in res ? res.status : undefined;
    if (status !== undefined && REFUSED.has(status))
      return this.refused(item, status, res.kind === 'permanent' ? res.code : `http_${status}`);
    if (res.kind === 'permanent') return this.rejected(item, res.status, res.code);
    return this.retry(item, res.reason, res.kind === 'retryable' ? res.retryAfterMs : undefined);
  }

  private async retry(item: OutboxItem, reason: string, retryAfterMs?: number, patch: Partial<OutboxItem> = {}): Promise<never> {
    const attempts = item.attempts + 1;
    await this.save({ ...(await this.fresh(item)), ...patch, attempts });
    this.opts.log.warn({ requestId: item.id, attempt: attempts, reason }, 'request not delivered yet; will retry');
    this.opts.core.events.emit('request.retry', { id: item.id, attempt: attempts, reason });
    throw new NotYet(reason, retryAfterMs);
  }

  /** The API refuses what may be our set-up's fault: retried for `parkAfterMs`, then parked as failed. */
  private async refused(item: OutboxItem, status: number, code: string): Promise<void> {
    const since = item.refusedSince ?? Date.now();
    if (Date.now() - since < this.opts.parkAfterMs) return this.retry(item, `http ${status}`, undefined, { refusedSince: since });
    const done: OutboxItem = {
      ...(await this.fresh(item)),
      state: 'failed',
      request: undefined,
      rejection: { status, code },
      attempts: item.attempts + 1,
    };
    await this.save(done);
    this.opts.log.error(
      { requestId: item.id, status, code, refusedForMs: Date.now() - since },
      'request parked as failed: the request API kept refusing it',
    );
    this.opts.core.events.emit('request.rejected', { id: item.id, type: item.type, channel: item.channel, status, code });
    await this.notify(done);
  }

  /** With the /forget mark, which may have come while it was being sent. */
  private async fresh(item: OutboxItem): Promise<OutboxItem> {
    return { ...item, forgotten: item.forgotten || (await this.forgotten.get(item.id)) === true };
  }

  private async accepted(item: OutboxItem, created: Created): Promise<void> {
    const done: OutboxItem = {
      ...(await this.fresh(item)),
      state: 'accepted',
      request: undefined,
      ref: created.id,
      apiStatus: created.status,
      dueAt: created.dueAt,
      attempts: item.attempts + 1,
    };
    await this.save(done);
    this.opts.log.info({ requestId: item.id, ref: created.id, attempts: done.attempts }, 'request accepted by the request API');
    this.opts.core.events.emit('request.accepted', {
      id: item.id,
      type: item.type,
      channel: item.channel,
      ref: created.id,
      dueAt: created.dueAt,
    });
    await this.notify(done);
  }

  private async rejected(item: OutboxItem, status: number, code: string): Promise<void> {
    const done: OutboxItem = {
      ...(await this.fresh(item)),
      state: 'rejected',
      request: undefined,
      rejection: { status, code },
      attempts: item.attempts + 1,
    };
    await this.save(done);
    this.opts.log.warn({ requestId: item.id, status, code }, 'request refused by the request API');
    this.opts.core.events.emit('request.rejected', { id: item.id, type: item.type, channel: item.channel, status, code });
    await this.notify(done);
  }

  private async save(item: OutboxItem): Promise<void> {
    if (!(await this.items.set(item.id, item)))
      throw new ThunderError(ErrorCode.StoreFailed, 'outbox: store refused the update', { retryable: true });
  }

  /**
   * Tells the customer the outcome; the job ends only once they were told, so a channel that is
   * down (or a shutdown) delays the message instead of losing it. A few tries, though, since a user
   * who blocked the bot can never be told (/status still shows it).
   */
  private async notify(item: OutboxItem): Promise<void> {
    // After /forget nothing more goes to that chat: a pushed message would be stored for it again (web inbox).
    if ((await this.fresh(item)).forgotten) {
      await this.items.delete(item.id);
      await this.forgotten.delete(item.id);
      return;
    }
    const t = this.opts.core.i18n.getFixedT(item.lang);
    const replies: Reply[] =
      item.state === 'accepted'
        ? acceptedReplies(t, item, this.opts.timeZone)
        : item.state === 'failed'
          ? parkedReplies(t, item, this.opts.companyEmail)
          : rejectedReplies(t, item);
    try {
      await this.opts.core.push(item.channel, item.chatId, replies);
    } catch (err) {
      const notifyTries = item.notifyTries + 1;
      this.opts.log.warn(
        { requestId: item.id, err: err instanceof Error ? err.message : 'unknown', tries: notifyTries },
        'could not tell the customer yet',
      );
      if (notifyTries < NOTIFY_TRIES) {
        await this.save({ ...(await this.fresh(item)), notifyTries });
        throw new NotYet('customer not told yet');
      }
    }
    const latest = await this.fresh(item);
    if (latest.forgotten) {
      await this.items.delete(item.id);
      await this.forgotten.delete(item.id);
    } else await this.save({ ...latest, notified: true });
  }
}

function view(item: OutboxItem): RequestView {
  const status = item.state === 'pending' ? 'sending' : item.state === 'accepted' ? (item.apiStatus ?? 'received') : 'not_accepted';
  return {
    id: item.id,
    type: item.type,
    ...(item.ref && { ref: item.ref }),
    status,
    dueAt: item.dueAt ?? addCalendarMonth(new Date(item.receivedAt)).toISOString(),
    channel: item.channel,
  };
}
