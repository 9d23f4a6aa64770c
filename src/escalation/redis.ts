import type Keyv from 'keyv';

/** The few Redis commands escalation needs beyond get/set: atomic claims and counters. */
export interface RedisClient {
  set(key: string, value: string, opts: { NX: true; PX: number }): Promise<string | null>;
  del(key: string): Promise<unknown>;
  hIncrBy(key: string, field: string, by: number): Promise<number>;
  hGetAll(key: string): Promise<Record<string, string>>;
  pExpire(key: string, ms: number): Promise<unknown>;
}

/**
 * When a Keyv space lives on Redis (several instances share it), its connected client and the
 * namespace to prefix raw keys with, through @keyv/redis's public getClient(); undefined on SQLite.
 */
export async function redisOf(kv: Keyv<unknown>): Promise<{ client: RedisClient; prefix: string } | undefined> {
  const adapter = kv.store as { getClient?: () => Promise<RedisClient>; namespace?: string };
  if (typeof adapter.getClient !== 'function') return undefined;
  return { client: await adapter.getClient(), prefix: adapter.namespace ?? 'thunder' };
}

/** Takes `${prefix}:lock:${id}` with an atomic SET NX and an expiry; false when another holder has it. */
export async function tryLock(redis: { client: RedisClient; prefix: string }, id: string, owner: string, ms: number): Promise<boolean> {
  return (await redis.client.set(`${redis.prefix}:lock:${id}`, owner, { NX: true, PX: ms })) === 'OK';
}

export async function unlock(redis: { client: RedisClient; prefix: string }, id: string): Promise<void> {
  await redis.client.del(`${redis.prefix}:lock:${id}`);
}
