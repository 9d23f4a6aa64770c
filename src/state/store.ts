import { randomUUID } from 'node:crypto';
import { ErrorCode, ThunderError } from '../core/errors.js';
import type { Backend, Lock, Scored, Space, Write } from './port.js';
import { RedisBackend } from './redis.js';
import { SqliteBackend } from './sqlite.js';

export type { Lock, Space } from './port.js';

export interface StoreOptions {
  /** redis://… shares state between instances; otherwise an embedded SQLite file. */
  redisUrl?: string | undefined;
  dataDir: string;
  /** Prefix that keeps test runs (and tenants) apart on one Redis. */
  prefix?: string;
}

/**
 * One storage backend, many namespaces (`session`, `outbox`, `jobs`…), each a `Space` of the
 * port in `port.ts`. Keys are `${prefix}-${namespace}:${key}` on both backends.
 */
export class Store {
  readonly kind: 'sqlite' | 'redis';
  readonly backend: Backend;
  private readonly spaces = new Map<string, Space<unknown>>();

  constructor(private readonly opts: StoreOptions) {
    this.backend = opts.redisUrl ? new RedisBackend(opts.redisUrl) : new SqliteBackend(opts.dataDir);
    this.kind = this.backend.kind;
  }

  /**
   * A namespaced space; values are JSON, `ttl` in ms is the per-key default.
   * `durable: false` (SQLite only) lets a power cut lose the latest writes, never a crash:
   * fine for sessions, several times faster.
   */
  kv<T = unknown>(namespace: string, ttl?: number, opts: { durable?: boolean } = {}): Space<T> {
    const ns = `${this.opts.prefix ?? 'thunder'}-${namespace}`;
    let space = this.spaces.get(ns);
    if (!space) {
      space = new BackendSpace(this.backend, ns, ttl, opts.durable ?? true);
      this.spaces.set(ns, space);
    }
    return space as Space<T>;
  }

  /** Round-trips a key: used by /readyz. */
  async ping(): Promise<boolean> {
    const probe = this.kv<number>('probe', 10_000);
    const now = Date.now();
    await probe.set('ping', now);
    return (await probe.get('ping')) === now;
  }

  /**
   * Deletes expired rows: SQLite keeps them until they are read again, so without this a user who
   * never comes back would stay on disk past the TTL. Redis expires keys itself.
   */
  sweep(now = Date.now()): Promise<number> {
    return this.backend.sweep(now);
  }

  /** Settings of the backend that can lose recorded data (see durability.ts). */
  durabilityRisks(): Promise<('noPersistence' | 'eviction' | 'unknown')[]> {
    return this.backend.durabilityRisks();
  }

  /** After an erasure (/forget): no journal keeps the erased values. */
  erased(): Promise<void> {
    return this.backend.flush();
  }

  close(): Promise<void> {
    return this.backend.close();
  }
}

class BackendSpace<T> implements Space<T> {
  constructor(
    private readonly b: Backend,
    private readonly ns: string,
    private readonly ttl: number | undefined,
    private readonly durable: boolean,
  ) {}

  private k(key: string): string {
    return `${this.ns}:${key}`;
  }

  async get(key: string): Promise<T | undefined> {
    const raw = await this.b.get(this.k(key));
    return raw === undefined ? undefined : (JSON.parse(raw) as T);
  }

  async set(key: string, value: T, ttlMs = this.ttl): Promise<boolean> {
    await this.b.set(this.k(key), JSON.stringify(value), ttlMs, this.durable);
    return true;
  }

  delete(key: string): Promise<boolean> {
    return this.b.del(this.k(key));
  }

  async *iterator(prefix = ''): AsyncIterable<[string, T]> {
    const cut = this.ns.length + 1;
    for await (const [key, raw] of this.b.scan(this.k(prefix ?? ''))) yield [key.slice(cut), JSON.parse(raw) as T];
  }

  async lock(key: string, ttlMs: number): Promise<Lock | undefined> {
    const full = this.k(`lock:${key}`);
    const owner = randomUUID();
    if (!(await this.b.acquire(full, owner, ttlMs))) return undefined;
    return { key, release: () => this.b.release(full, owner), extend: (ms) => this.b.extend(full, owner, ms) };
  }

  async waitLock(key: string, ttlMs: number, waitMs: number): Promise<Lock> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const lock = await this.lock(key, ttlMs);
      if (lock) return lock;
      if (Date.now() > deadline) throw new ThunderError(ErrorCode.LockBusy, `${key} is locked by another holder`, { retryable: true });
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  once(key: string, ttlMs: number): Promise<boolean> {
    return this.b.acquire(this.k(`once:${key}`), randomUUID(), ttlMs);
  }

  incr(key: string, by = 1, ttlMs = this.ttl): Promise<number> {
    return this.b.incr(this.k(key), by, ttlMs);
  }

  zrange(index: string, maxScore: number, limit = 100): Promise<Scored[]> {
    return this.b.zrange(this.k(index), maxScore, limit);
  }

  zcard(index: string): Promise<number> {
    return this.b.zcard(this.k(index));
  }

  zremIfEmpty(index: string, member: string, unlessIndex: string): Promise<boolean> {
    return this.b.zremIfEmpty(this.k(index), member, this.k(unlessIndex));
  }

  batch(writes: Write[]): Promise<void> {
    return this.b.batch(
      writes.map((w) =>
        w.op === 'set'
          ? { ...w, key: this.k(w.key), value: JSON.stringify(w.value), ttlMs: w.ttlMs ?? this.ttl }
          : { ...w, key: this.k(w.key) },
      ),
    );
  }
}
