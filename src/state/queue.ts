import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { ErrorCode, errorInfo, isRetryable, ThunderError } from '../core/errors.js';
import { backoff } from '../ops/backoff.js';
import type { Space } from './port.js';

declare module '../core/events.js' {
  interface CoreEvents {
    /** A job's outcome (metrics). */
    job: [{ kind: string; outcome: QueueEvent }];
  }
}

/**
 * The durable job queue, on the storage port, for everything that must reach the outside
 * (request submissions, relayed messages, Meta sends).
 *
 *   queue.define('kind', { handle: async (data) => … });
 *   await queue.add('kind', data, { group: 'chat:42' });   // written before add() resolves
 *
 * - Jobs of one `group` run one at a time, in the order added; a failing job holds back the ones
 *   behind it (relay order per chat). Without a group a job is its own group.
 * - A group is worked under a lease (an owner-checked lock) that the worker extends while it runs;
 *   when an instance dies its leases expire and any live instance takes the group over on its next
 *   scan (every `tickMs`), not only at start.
 * - A failed job waits `backoff()` (full jitter, honouring a ThunderError's `retryAfterMs`) and is
 *   retried; an error that is not `retryable` drops it with a warning.
 * - A job listed but whose data is gone is logged as an error and counted, never dropped silently.
 *
 * Layout in the space: `job:<id>` (the job), index `group:<group>` (its jobs by sequence) and index
 * `due` (groups by the time they are next due). add() writes all three in one batch.
 */

export interface JobInfo {
  id: string;
  kind: string;
  group: string;
  attempts: number;
  createdAt: number;
}

export interface KindOptions {
  handle(data: unknown, job: JobInfo): Promise<void>;
  /** Backoff of this kind (the queue's otherwise). */
  baseDelayMs?: number | undefined;
  maxDelayMs?: number | undefined;
}

export interface AddOptions {
  /** Ordering key: jobs of one group run in order, one at a time. */
  group?: string;
  /** Not before this many ms from now. */
  delayMs?: number;
}

export type QueueEvent = 'done' | 'retry' | 'failed' | 'missing';

export interface QueueOptions {
  space: Space<unknown>;
  log: Logger;
  /** How long a job and its index entries are kept at most (the state TTL). */
  ttlMs: number;
  /** How long a group stays claimed without a heartbeat: the takeover time after a crash. */
  leaseMs?: number;
  /** How often every instance scans for due groups. */
  tickMs?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Groups worked at once by this instance. */
  concurrency?: number;
}

interface StoredJob extends JobInfo {
  data: unknown;
  notBefore: number;
}

const DUE = 'due';
const groupIndex = (group: string) => `group:${group}`;
const jobKey = (id: string) => `job:${id}`;

export class Queue {
  private readonly kinds = new Map<string, KindOptions>();
  private readonly observers: ((event: QueueEvent, kind: string) => void)[] = [];
  private readonly running = new Map<string, Promise<void>>();
  private delayed: { at: number; timer: NodeJS.Timeout } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private scanning: Promise<void> | undefined;
  private again = false;
  private stopped = true;
  private readonly space: Space<unknown>;
  private readonly leaseMs: number;
  private readonly tickMs: number;

  constructor(private readonly opts: QueueOptions) {
    this.space = opts.space;
    this.leaseMs = opts.leaseMs ?? 5000;
    this.tickMs = opts.tickMs ?? 1000;
  }

  /** Called on every job outcome (metrics). */
  observe(observer: (event: QueueEvent, kind: string) => void): void {
    this.observers.push(observer);
  }

  private emit(event: QueueEvent, kind: string): void {
    for (const o of this.observers) o(event, kind);
  }

  define(kind: string, options: KindOptions): void {
    this.kinds.set(kind, options);
  }

  /** Stores the job durably (throws if the store did not take it) and returns its id. */
  async add(kind: string, data: unknown, opts: AddOptions = {}): Promise<string> {
    const id = randomUUID();
    const group = opts.group ?? id;
    const now = Date.now();
    const notBefore = now + (opts.delayMs ?? 0);
    const job: StoredJob = { id, kind, group, data, attempts: 0, createdAt: now, notBefore };
    const ttlMs = this.opts.ttlMs;
    const seq = await this.space.incr('seq', 1, ttlMs);
    await this.space.batch([
      { op: 'set', key: jobKey(id), value: job, ttlMs },
      { op: 'zadd', key: groupIndex(group), member: id, score: seq, ttlMs },
      // A group already listed keeps its time: its head job decides.
      { op: 'zadd', key: DUE, member: group, score: notBefore, ttlMs, onlyIfAbsent: true },
    ]);
    this.kickAt(opts.delayMs ?? 0);
    return id;
  }

  /** Drops one job that was done another way (a no-op when it is gone already). */
  async remove(id: string): Promise<void> {
    const job = (await this.space.get(jobKey(id))) as StoredJob | undefined;
    if (!job) return;
    await this.space.batch([
      { op: 'del', key: jobKey(id) },
      { op: 'zrem', key: groupIndex(job.group), member: id },
    ]);
    await this.space.zremIfEmpty(DUE, job.group, groupIndex(job.group));
  }

  /** Drops every job of the given groups (the customer used /forget). */
  async dropGroups(groups: string[]): Promise<number> {
    let dropped = 0;
    for (const group of groups) {
      for (const { member } of await this.space.zrange(groupIndex(group), Infinity, 10_000)) {
        await this.space.batch([
          { op: 'del', key: jobKey(member) },
          { op: 'zrem', key: groupIndex(group), member },
        ]);
        dropped++;
      }
      await this.space.zremIfEmpty(DUE, group, groupIndex(group));
    }
    return dropped;
  }

  /** Jobs not yet done, store-wide; only kinds starting with `kindPrefix` if given. */
  async pending(kindPrefix = ''): Promise<number> {
    let n = 0;
    for await (const [, job] of this.space.iterator('job:')) if ((job as StoredJob).kind.startsWith(kindPrefix)) n++;
    return n;
  }

  async start(): Promise<void> {
    this.stopped = false;
    this.timer = setInterval(() => this.kick(), this.tickMs);
    this.timer.unref();
    this.kick();
  }

  /** Stops scanning, lets the jobs in flight finish and gives their leases back. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.delayed?.timer);
    this.delayed = undefined;
    await this.scanning;
    await Promise.all(this.running.values());
  }

  /** Scans for due groups now, or right after the scan in progress. */
  kick(): void {
    if (this.stopped) return;
    if (this.scanning) {
      this.again = true;
      return;
    }
    this.scanning = this.scan()
      .catch((err: unknown) => this.opts.log.error({ err: errorInfo(err) }, 'queue: scan failed'))
      .finally(() => {
        this.scanning = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** One timer for the earliest delayed kick: a delayed job per message must not mean a timer each. */
  private kickAt(delayMs: number): void {
    if (delayMs <= 0) return this.kick();
    const at = Date.now() + delayMs;
    if (this.delayed && this.delayed.at <= at) return;
    clearTimeout(this.delayed?.timer);
    const timer = setTimeout(() => {
      this.delayed = undefined;
      this.kick();
    }, delayMs);
    timer.unref();
    this.delayed = { at, timer };
  }

  private async scan(): Promise<void> {
    const limit = this.opts.concurrency ?? 32;
    for (const { member: group } of await this.space.zrange(DUE, Date.now(), 200)) {
      if (this.stopped || this.running.size >= limit) return;
      if (this.running.has(group)) continue;
      const lease = await this.space.lock(`lease:${group}`, this.leaseMs);
      if (!lease) continue;
      const run = this.work(group, lease)
        .catch((err: unknown) => {
          this.opts.log.error({ err: errorInfo(err) }, 'queue: worker failed');
          return undefined;
        })
        .then(async (retryAt) => {
          await lease.release().catch(() => undefined);
          this.running.delete(group);
          // Only now: a retry due sooner would find the group still leased.
          if (retryAt !== undefined) this.kickAt(retryAt - Date.now());
        });
      this.running.set(group, run);
    }
  }

  /** Runs the group's jobs in order until it is empty, must wait (returns when it is due again), or this instance stops. */
  private async work(group: string, lease: { extend(ms: number): Promise<boolean> }): Promise<number | undefined> {
    let held = true;
    const beat = setInterval(
      () => {
        void lease.extend(this.leaseMs).then(
          (ok) => (held &&= ok),
          () => undefined,
        );
      },
      Math.max(50, Math.floor(this.leaseMs / 3)),
    );
    beat.unref();
    try {
      while (held && !this.stopped) {
        const [head] = await this.space.zrange(groupIndex(group), Infinity, 1);
        if (!head) {
          await this.space.zremIfEmpty(DUE, group, groupIndex(group));
          return;
        }
        const job = (await this.space.get(jobKey(head.member))) as StoredJob | undefined;
        if (!job) {
          this.opts.log.error({ job: head.member, group: redactGroup(group) }, 'queue: a listed job has no data; it cannot be delivered');
          this.emit('missing', 'unknown');
          await this.space.batch([{ op: 'zrem', key: groupIndex(group), member: head.member }]);
          continue;
        }
        if (job.notBefore > Date.now()) {
          await this.space.batch([{ op: 'zadd', key: DUE, member: group, score: job.notBefore, ttlMs: this.opts.ttlMs }]);
          return job.notBefore;
        }
        const retryAt = await this.run(job);
        if (retryAt !== undefined) return retryAt;
      }
      return undefined;
    } finally {
      clearInterval(beat);
    }
  }

  /** undefined when the group may go on to its next job, else when this one is due again. */
  private async run(job: StoredJob): Promise<number | undefined> {
    const kind = this.kinds.get(job.kind);
    const done = (): Promise<void> =>
      this.space.batch([
        { op: 'del', key: jobKey(job.id) },
        { op: 'zrem', key: groupIndex(job.group), member: job.id },
      ]);
    try {
      if (!kind) throw new ThunderError(ErrorCode.JobUndeliverable, `no handler for job kind ${job.kind}`);
      await kind.handle(job.data, { id: job.id, kind: job.kind, group: job.group, attempts: job.attempts, createdAt: job.createdAt });
      await done();
      this.emit('done', job.kind);
      return undefined;
    } catch (err) {
      if (err instanceof MissingData) {
        this.opts.log.error({ job: job.id, kind: job.kind, what: err.message }, "queue: a job's data is gone; it cannot be delivered");
        await done();
        this.emit('missing', job.kind);
        return undefined;
      }
      if (!isRetryable(err)) {
        this.opts.log.warn({ job: job.id, kind: job.kind, err: errorInfo(err).name }, 'queue: job dropped, it cannot be delivered');
        await done();
        this.emit('failed', job.kind);
        return undefined;
      }
      const attempts = job.attempts + 1;
      const wait = backoff(
        attempts,
        kind?.baseDelayMs ?? this.opts.baseDelayMs ?? 1000,
        kind?.maxDelayMs ?? this.opts.maxDelayMs ?? 5 * 60_000,
        err instanceof ThunderError ? err.retryAfterMs : undefined,
      );
      const next: StoredJob = { ...job, attempts, notBefore: Date.now() + wait };
      await this.space.batch([
        { op: 'set', key: jobKey(job.id), value: next, ttlMs: this.opts.ttlMs },
        { op: 'zadd', key: DUE, member: job.group, score: next.notBefore, ttlMs: this.opts.ttlMs },
      ]);
      this.opts.log.warn(
        { job: job.id, kind: job.kind, attempts, retryInMs: wait, err: errorInfo(err).name },
        'queue: job failed, will retry',
      );
      this.emit('retry', job.kind);
      return next.notBefore;
    }
  }
}

/** Thrown by a handler whose job's data is gone: logged as an error and counted, then dropped. */
export class MissingData extends Error {
  override name = 'MissingData';
}

/** Group names may carry a chat id: logs get only their kind. */
function redactGroup(group: string): string {
  return group.split(':')[0] ?? '';
}
