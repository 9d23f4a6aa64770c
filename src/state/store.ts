import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import Keyv, { type KeyvStoreAdapter } from 'keyv';
import KeyvSqlite from '@keyv/sqlite';
import KeyvRedis from '@keyv/redis';

export interface StoreOptions {
  /** redis://… shares state between instances; otherwise an embedded SQLite file. */
  redisUrl?: string | undefined;
  dataDir: string;
  /** Prefix that keeps test runs (and tenants) apart on one Redis. */
  prefix?: string;
}

/**
 * One storage backend, many namespaces (`session`, `outbox`, `ticket`…), each a Keyv.
 * Keyv keeps the namespace on the adapter itself, so each namespace gets its own adapter.
 */
export class Store {
  private readonly adapters: KeyvStoreAdapter[] = [];
  private sweeper: KeyvSqlite | undefined;
  private readonly spaces = new Map<string, Keyv>();
  readonly kind: 'sqlite' | 'redis';

  constructor(private readonly opts: StoreOptions) {
    this.kind = opts.redisUrl ? 'redis' : 'sqlite';
    if (!opts.redisUrl) mkdirSync(opts.dataDir, { recursive: true });
  }

  private adapter(durable: boolean): KeyvStoreAdapter {
    const adapter = this.opts.redisUrl ? redis(this.opts.redisUrl) : sqlite(this.opts.dataDir, durable);
    this.adapters.push(adapter as unknown as KeyvStoreAdapter);
    return adapter as unknown as KeyvStoreAdapter;
  }

  /**
   * A namespaced key-value space; values are JSON, `ttl` in ms is the per-key default.
   * `durable: false` (SQLite only) lets a power cut lose the latest writes, never a crash:
   * fine for sessions, several times faster.
   */
  kv<T = unknown>(namespace: string, ttl?: number, opts: { durable?: boolean } = {}): Keyv<T> {
    const ns = `${this.opts.prefix ?? 'thunder'}-${namespace}`;
    let space = this.spaces.get(ns);
    if (!space) {
      // Failures throw instead of reading as "not found": a lost write must never look like a success.
      space = new Keyv({ store: this.adapter(opts.durable ?? true), namespace: ns, ttl, throwOnErrors: true });
      space.on('error', () => undefined);
      this.spaces.set(ns, space);
    }
    return space as Keyv<T>;
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
  async sweep(now = Date.now()): Promise<number> {
    if (this.kind !== 'sqlite') return 0;
    if (!this.sweeper) {
      this.sweeper = sqlite(this.opts.dataDir, true);
      this.adapters.push(this.sweeper as unknown as KeyvStoreAdapter);
    }
    const rows = await this.sweeper.query(`DELETE FROM thunder WHERE json_valid(value) AND json_extract(value, '$.expires') < ? RETURNING key`, now);
    return rows.length;
  }

  async close(): Promise<void> {
    await Promise.all(this.adapters.map((a) => a.disconnect?.()));
  }
}

/**
 * While Redis is unreachable, commands wait in the client's queue through a few reconnect attempts
 * (about 3 s), then fail instead of hanging replies; the next command connects afresh.
 */
function redis(url: string): KeyvRedis<unknown> {
  const reconnectStrategy = (attempt: number) => (attempt >= 5 ? new Error('Redis unreachable') : Math.min(100 * 2 ** attempt, 1000));
  return new KeyvRedis(
    { url, socket: { connectTimeout: 2000, reconnectStrategy } },
    { throwOnConnectError: true, throwOnErrors: true, connectionTimeout: 3000 },
  );
}

/**
 * WAL lets readers run beside the writer and costs one fsync per commit instead of several; the
 * pragmas run on the connection before any other query of this adapter.
 */
function sqlite(dataDir: string, durable: boolean): KeyvSqlite {
  const adapter = new KeyvSqlite({ uri: `sqlite://${resolve(dataDir, 'state.sqlite')}`, table: 'thunder', busyTimeout: 5000 });
  const query = adapter.query;
  // Only an optimisation: should the pragmas fail, the store works in SQLite's default mode.
  const ready = query('PRAGMA journal_mode=WAL')
    .then(() => query(`PRAGMA synchronous=${durable ? 'FULL' : 'NORMAL'}`))
    .catch(() => undefined);
  adapter.query = (sql, ...args) => ready.then(() => query(sql, ...args));
  return adapter;
}
