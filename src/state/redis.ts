import { createClient } from '@redis/client';
import type { Backend, RawWrite, Scored } from './port.js';

/**
 * While Redis is unreachable, commands wait through a few reconnect attempts (about 3 s), then fail
 * instead of hanging replies; the next command connects afresh.
 */
function newClient(url: string) {
  const reconnectStrategy = (attempt: number) => (attempt >= 5 ? new Error('Redis unreachable') : Math.min(100 * 2 ** attempt, 1000));
  return createClient({ url, socket: { connectTimeout: 2000, reconnectStrategy } });
}
type Client = ReturnType<typeof newClient>;

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const EXTEND = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const INCR = `local n = redis.call('incrby', KEYS[1], ARGV[1]) if tonumber(ARGV[2]) > 0 then redis.call('pexpire', KEYS[1], ARGV[2]) end return n`;
const ZREM_IF_EMPTY = `if redis.call('zcard', KEYS[2]) == 0 then return redis.call('zrem', KEYS[1], ARGV[1]) else return 0 end`;

/** The shared store for several instances. */
export class RedisBackend implements Backend {
  readonly kind = 'redis';
  private client: Client | undefined;
  private connecting: Promise<Client> | undefined;

  constructor(private readonly url: string) {}

  /** The connected client, connecting (again) when needed. */
  async raw(): Promise<Client> {
    if (this.client?.isOpen) return this.client;
    this.connecting ??= this.connect().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async connect(): Promise<Client> {
    const client = newClient(this.url);
    client.on('error', () => undefined);
    await client.connect();
    this.client = client;
    return client;
  }

  async get(key: string): Promise<string | undefined> {
    return (await (await this.raw()).get(key)) ?? undefined;
  }

  async set(key: string, value: string, ttlMs: number | undefined): Promise<void> {
    const c = await this.raw();
    await (ttlMs === undefined
      ? c.set(key, value)
      : c.set(key, value, { expiration: { type: 'PX', value: Math.max(1, Math.round(ttlMs)) } }));
  }

  async del(key: string): Promise<boolean> {
    return (await (await this.raw()).del(key)) > 0;
  }

  async *scan(prefix: string): AsyncIterable<[string, string]> {
    const c = await this.raw();
    const match = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
    for await (const batch of c.scanIterator({ MATCH: match, COUNT: 1000, TYPE: 'string' })) {
      const keys = [batch].flat();
      if (!keys.length) continue;
      const values = await c.mGet(keys);
      for (const [i, key] of keys.entries()) {
        const value = values[i];
        if (typeof value === 'string') yield [key, value];
      }
    }
  }

  async acquire(key: string, owner: string, ttlMs: number): Promise<boolean> {
    const res = await (await this.raw()).set(key, JSON.stringify(owner), {
      condition: 'NX',
      expiration: { type: 'PX', value: Math.max(1, Math.round(ttlMs)) },
    });
    return res === 'OK';
  }

  async release(key: string, owner: string): Promise<boolean> {
    return Number(await (await this.raw()).eval(RELEASE, { keys: [key], arguments: [JSON.stringify(owner)] })) === 1;
  }

  async extend(key: string, owner: string, ttlMs: number): Promise<boolean> {
    return (
      Number(
        await (await this.raw()).eval(EXTEND, { keys: [key], arguments: [JSON.stringify(owner), String(Math.max(1, Math.round(ttlMs)))] }),
      ) === 1
    );
  }

  async incr(key: string, by: number, ttlMs: number | undefined): Promise<number> {
    return Number(await (await this.raw()).eval(INCR, { keys: [key], arguments: [String(by), String(Math.round(ttlMs ?? 0))] }));
  }

  async zrange(key: string, maxScore: number, limit: number): Promise<Scored[]> {
    const max = Number.isFinite(maxScore) ? String(maxScore) : '+inf';
    const rows = await (await this.raw()).zRangeByScoreWithScores(key, '-inf', max, { LIMIT: { offset: 0, count: limit } });
    return rows.map((r) => ({ member: String(r.value), score: r.score }));
  }

  async zcard(key: string): Promise<number> {
    return (await this.raw()).zCard(key);
  }

  async zremIfEmpty(key: string, member: string, unlessKey: string): Promise<boolean> {
    return Number(await (await this.raw()).eval(ZREM_IF_EMPTY, { keys: [key, unlessKey], arguments: [member] })) === 1;
  }

  async batch(writes: RawWrite[]): Promise<void> {
    const m = (await this.raw()).multi();
    for (const w of writes) {
      if (w.op === 'set') {
        if (w.ttlMs === undefined) m.set(w.key, w.value);
        else m.set(w.key, w.value, { expiration: { type: 'PX', value: Math.max(1, Math.round(w.ttlMs)) } });
      } else if (w.op === 'del') m.del(w.key);
      else if (w.op === 'zadd') {
        m.zAdd(w.key, { score: w.score, value: w.member }, w.onlyIfAbsent ? { condition: 'NX' } : {});
        m.pExpire(w.key, Math.max(1, Math.round(w.ttlMs)));
      } else m.zRem(w.key, w.member);
    }
    await m.exec();
  }

  async ping(): Promise<boolean> {
    return (await (await this.raw()).ping()) === 'PONG';
  }

  async sweep(): Promise<number> {
    return 0;
  }

  /** CONFIG GET first; managed Redis often refuses CONFIG, so INFO is the fallback. */
  async durabilityRisks(): Promise<('noPersistence' | 'eviction' | 'unknown')[]> {
    const c = await this.raw();
    let aof: boolean;
    let rdb: boolean;
    let policy: string;
    try {
      const conf = await c.configGet(['appendonly', 'save', 'maxmemory-policy']);
      aof = conf.appendonly === 'yes';
      rdb = (conf.save ?? '').trim() !== '';
      policy = conf['maxmemory-policy'] ?? '';
    } catch {
      try {
        const info = (await c.info('persistence')) + (await c.info('memory'));
        const field = (name: string) => new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim() ?? '';
        aof = field('aof_enabled') === '1';
        // INFO does not list the save points; a snapshot taken since start shows RDB is in use.
        rdb = field('rdb_last_bgsave_status') === 'ok' && Number(field('rdb_saves')) > 0;
        policy = field('maxmemory_policy');
      } catch {
        return ['unknown'];
      }
    }
    const risks: ('noPersistence' | 'eviction')[] = [];
    if (!aof && !rdb) risks.push('noPersistence');
    if (policy !== 'noeviction') risks.push('eviction');
    return risks;
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    // Every write was awaited by its caller; a graceful QUIT would wait for an absent server.
    if (c?.isOpen) c.destroy();
  }
}
