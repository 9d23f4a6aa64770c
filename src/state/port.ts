/**
 * Thunder's storage port. Features see only `Space` (from `Store.kv()`), never a Redis or SQLite
 * client; the two backends (embedded SQLite, shared Redis) implement `Backend`.
 *
 * - `get`/`set`/`delete`: JSON values, `ttlMs` per key (the space's default otherwise).
 * - `lock(key, ttlMs)`: atomic, owner-checked; `release()`/`extend()` act only while we still own it
 *   (Redis SET NX PX + compare-and-delete script; SQLite one conditional upsert).
 * - `once(key, ttlMs)`: true for the first caller only, store-wide (de-duplication).
 * - `incr(key, by, ttlMs)`: atomic counter.
 * - `iterator(prefix)`: the keys themselves, so there is no separate index to orphan.
 * - sorted indexes (`zadd`/`zrange`/`zrem`) and `batch()` (several writes, all or none) are for the
 *   job queue (`queue.ts`); every index key carries a TTL.
 */

export interface Lock {
  readonly key: string;
  /** Gives the lock back; false when it had expired and someone else holds it now. */
  release(): Promise<boolean>;
  /** Pushes the expiry out while we still own it; false when it was lost. */
  extend(ttlMs: number): Promise<boolean>;
}

export type Write =
  | { op: 'set'; key: string; value: unknown; ttlMs?: number | undefined }
  | { op: 'del'; key: string }
  | { op: 'zadd'; key: string; member: string; score: number; ttlMs: number; onlyIfAbsent?: boolean }
  | { op: 'zrem'; key: string; member: string };

/** A write as a backend gets it: full key, the value already JSON. */
export type RawWrite = Exclude<Write, { op: 'set' }> | { op: 'set'; key: string; value: string; ttlMs?: number | undefined };

export interface Scored {
  member: string;
  score: number;
}

/** What a backend provides, on full keys (prefix and namespace already applied). */
export interface Backend {
  readonly kind: 'sqlite' | 'redis';
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlMs: number | undefined, durable: boolean): Promise<void>;
  del(key: string): Promise<boolean>;
  scan(prefix: string): AsyncIterable<[string, string]>;
  acquire(key: string, owner: string, ttlMs: number): Promise<boolean>;
  release(key: string, owner: string): Promise<boolean>;
  extend(key: string, owner: string, ttlMs: number): Promise<boolean>;
  incr(key: string, by: number, ttlMs: number | undefined): Promise<number>;
  zrange(key: string, maxScore: number, limit: number): Promise<Scored[]>;
  zcard(key: string): Promise<number>;
  /** Removes `member` from `key` only while the index `unlessKey` is empty (atomically). */
  zremIfEmpty(key: string, member: string, unlessKey: string): Promise<boolean>;
  batch(writes: RawWrite[]): Promise<void>;
  ping(): Promise<boolean>;
  /** Expired rows off the disk (SQLite); Redis expires keys itself. */
  sweep(now: number): Promise<number>;
  /** Settings that can lose data: `noPersistence`, `eviction`, `unknown` (Redis); none for SQLite. */
  durabilityRisks(): Promise<('noPersistence' | 'eviction' | 'unknown')[]>;
  /** After an erasure: nothing of it may stay in journals (SQLite WAL). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export interface Space<T> {
  get(key: string): Promise<T | undefined>;
  /** Resolves true once written; throws when the store did not take it. */
  set(key: string, value: T, ttlMs?: number): Promise<boolean>;
  delete(key: string): Promise<boolean>;
  /** Every live entry whose key starts with `prefix`, as [key without namespace, value]. */
  iterator(prefix?: string): AsyncIterable<[string, T]>;
  lock(key: string, ttlMs: number): Promise<Lock | undefined>;
  /** `lock`, retried until `waitMs` has passed; then a retryable `LockBusy` error. */
  waitLock(key: string, ttlMs: number, waitMs: number): Promise<Lock>;
  once(key: string, ttlMs: number): Promise<boolean>;
  incr(key: string, by?: number, ttlMs?: number): Promise<number>;
  zrange(index: string, maxScore: number, limit?: number): Promise<Scored[]>;
  zcard(index: string): Promise<number>;
  zremIfEmpty(index: string, member: string, unlessIndex: string): Promise<boolean>;
  batch(writes: Write[]): Promise<void>;
}
