import { randomUUID } from 'node:crypto';
import type Keyv from 'keyv';
import type { Logger } from 'pino';
import { ErrorCode, errorInfo, isRetryable, ThunderError } from '../core/errors.js';
import { backoff } from '../ops/backoff.js';
import { redisOf, tryLock, unlock } from './redis.js';

/** One message on its way to Slack or to a customer; persisted before the first attempt. */
export interface Job {
  id: string;
  /** Jobs of one queue are delivered in order; a failing job holds back the ones behind it. */
  queue: string;
  kind: string;
  data: unknown;
  /** Order key: enqueue time and a per-process counter. */
  order: [number, number];
  attempts: number;
  nextAt: number;
}

export type Handler = (data: unknown) => Promise<void>;

export interface RelayOptions {
  tickMs?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
}

/** Longer than a Telegram send with grammY's auto-retry may take; frees the job if an instance dies mid-send. */
const LOCK_MS = 5 * 60_000;

/**
 * A durable, ordered outbox for relayed messages. Every job is its own key, so enqueueing never
 * rewrites shared state; a lock keeps two instances from delivering the same job at once.
 */
export class Relay {
  private readonly handlers = new Map<string, Handler>();
  private readonly owner = randomUUID();
  private seq = 0;
  private timer: NodeJS.Timeout | undefined;
  private pass: Promise<void> | undefined;
  private readonly workers = new Map<string, Promise<void>>();
  private again = false;
  /** Nothing is delivered before start() (jobs enqueued earlier wait for it). */
  private stopped = true;
  private readonly tickMs: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(private readonly jobs: Keyv<Job>, private readonly log: Logger, opts: RelayOptions = {}) {
    this.tickMs = opts.tickMs ?? 1000;
    this.baseDelayMs = opts.baseDelayMs ?? 1000;
    this.maxDelayMs = opts.maxDelayMs ?? 5 * 60_000;
  }

  on(kind: string, handler: Handler): void {
    this.handlers.set(kind, handler);
  }

  async enqueue(queue: string, kind: string, data: unknown): Promise<void> {
    const job: Job = { id: randomUUID(), queue, kind, data, order: [Date.now(), this.seq++], attempts: 0, nextAt: 0 };
    await this.jobs.set(`job:${job.id}`, job);
    this.kick();
  }

  /** Drops the queued jobs of the given queues (the customer used /forget). */
  async drop(queues: string[]): Promise<number> {
    let n = 0;
    for (const job of await this.all()) {
      if (queues.includes(job.queue)) n += Number(await this.jobs.delete(`job:${job.id}`));
    }
    return n;
  }

  async pending(): Promise<number> {
    return (await this.all()).length;
  }

  async start(): Promise<void> {
    this.stopped = false;
    this.timer = setInterval(() => this.kick(), this.tickMs);
    this.timer.unref();
    this.kick();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.stopped = true;
    await this.pass;
    await Promise.all(this.workers.values());
  }

  /** Runs a delivery pass now, or right after the current one. */
  kick(): void {
    if (this.stopped) return;
    if (this.pass) {
      this.again = true;
      return;
    }
    this.pass = this.deliverAll()
      .catch((err: unknown) => this.log.error({ err: errorInfo(err) }, 'relay pass failed'))
      .finally(() => {
        this.pass = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  private async all(): Promise<Job[]> {
    const jobs: Job[] = [];
    if (!this.jobs.iterator) throw new Error('the store cannot list keys');
    // The argument is ignored: Keyv passes its own namespace.
    for await (const [, value] of this.jobs.iterator(undefined)) if (value) jobs.push(value as Job);
    return jobs;
  }

  /** Starts a worker for every queue with jobs that has none yet; queues never wait for each other. */
  private async deliverAll(): Promise<void> {
    const queues = new Map<string, Job[]>();
    for (const job of await this.all()) {
      const list = queues.get(job.queue);
      if (list) list.push(job);
      else queues.set(job.queue, [job]);
    }
    for (const [queue, jobs] of queues) {
      if (this.workers.has(queue)) continue;
      jobs.sort((a, b) => a.order[0] - b.order[0] || a.order[1] - b.order[1]);
      const worker = this.work(jobs).then(
        (drained) => {
          this.workers.delete(queue);
          // Jobs may have arrived while this queue was busy.
          if (drained) this.kick();
        },
        (err: unknown) => {
          this.workers.delete(queue);
          this.log.error({ err: errorInfo(err) }, 'relay worker failed');
        },
      );
      this.workers.set(queue, worker);
    }
  }

  /** Delivers in order until a job must wait; true when the whole snapshot went out. */
  private async work(jobs: Job[]): Promise<boolean> {
    for (const job of jobs) if (!(await this.deliver(job))) return false;
    return true;
  }

  /** Returns whether the queue may move on to the next job. */
  private async deliver(listed: Job): Promise<boolean> {
    if (listed.nextAt > Date.now()) return false;
    if (!(await this.lock(listed.id))) return false;
    try {
      return await this.deliverLocked(listed.id);
    } finally {
      await this.unlock(listed.id);
    }
  }

  private async deliverLocked(id: string): Promise<boolean> {
    const key = `job:${id}`;
    // Re-read under the lock: another instance may have delivered it, or /forget dropped it.
    const job = await this.jobs.get(key);
    if (!job) return true;
    if (job.nextAt > Date.now()) return false;
    const handler = this.handlers.get(job.kind);
    try {
      if (!handler) throw new ThunderError(ErrorCode.JobUndeliverable, `no handler for ${job.kind}`);
      await handler(job.data);
      await this.jobs.delete(key);
      return true;
    } catch (err) {
      // Channels and the desk classify their platform's errors (a blocked bot, a deleted chat, a missing channel).
      if (!isRetryable(err)) {
        this.log.warn({ job: job.id, kind: job.kind, err: errorInfo(err).name }, 'relay job dropped: cannot be delivered');
        await this.jobs.delete(key);
        return true;
      }
      job.attempts++;
      job.nextAt = Date.now() + backoff(job.attempts, this.baseDelayMs, this.maxDelayMs, err instanceof ThunderError ? err.retryAfterMs : 0);
      await this.jobs.set(key, job);
      this.log.warn({ job: job.id, kind: job.kind, attempts: job.attempts, err: errorInfo(err).name }, 'relay delivery failed, will retry');
      return false;
    }
  }

  /**
   * Only one instance may work on a job. On Redis (several instances) that is an atomic SET NX with
   * an expiry, through @keyv/redis's own client; the embedded SQLite store serves one instance, whose
   * per-queue workers never overlap.
   */
  private async lock(id: string): Promise<boolean> {
    const redis = await this.redis();
    return !redis || tryLock(redis, id, this.owner, LOCK_MS);
  }

  private async unlock(id: string): Promise<void> {
    const redis = await this.redis();
    if (redis) await unlock(redis, id);
  }

  private redis() {
    return redisOf(this.jobs as Keyv<unknown>);
  }
}
