import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dropRedisPrefix, REDIS_URL, startTestApp } from '../helpers/app.js';
import { redisKeysWith } from '../helpers/store.js';

describe('startTestApp', () => {
  it('builds the app on a temp data dir with its own store prefix and cleans up', async () => {
    const a = await startTestApp();
    const b = await startTestApp();
    expect(a.storePrefix).not.toBe(b.storePrefix);
    expect(a.config.PORT).toBe(0);
    expect(existsSync(a.dataDir)).toBe(true);
    expect(await a.app.store.ping()).toBe(true);
    await a.teardown();
    await b.teardown();
    expect(existsSync(a.dataDir)).toBe(false);
  });

  it('keeps Redis keys over teardown (restart tests need them) until dropRedisPrefix', async () => {
    const t = await startTestApp({ REDIS_URL });
    await t.app.core.handle({ channel: 'web', userId: 'z', chatId: 'z', text: '/help' });
    await t.teardown();
    expect(await redisKeysWith(REDIS_URL, t.storePrefix, 'web:z')).toHaveLength(1);
    await dropRedisPrefix(REDIS_URL, t.storePrefix);
    expect(await redisKeysWith(REDIS_URL, t.storePrefix, '')).toEqual([]);
  });
});
