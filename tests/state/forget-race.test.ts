import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Core, type Middleware } from '../../src/core/bot.js';
import type { Session } from '../../src/core/session.js';
import { createI18n } from '../../src/i18n/index.js';
import { createLogger } from '../../src/log/logger.js';
import { Store } from '../../src/state/store.js';

declare module '../../src/core/session.js' {
  interface SessionFields {
    raceNote?: string;
  }
}

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** One instance: a real Core on its own connection to the shared Redis, as src/app.ts builds it. */
function instance(prefix: string, middleware: Middleware) {
  const store = new Store({ dataDir: tmpdir(), redisUrl: REDIS_URL, prefix });
  const core = new Core({
    i18n: createI18n(),
    sessions: store.kv<Session>('session', 60_000),
    tombstones: store.kv<string>('forgotten'),
    log: createLogger('silent'),
    defaultLang: 'en',
  });
  core.addSessionFields({ raceNote: z.string().optional() });
  core.use(middleware);
  return { store, core, sessions: store.kv<Session>('session') };
}

const stores: Store[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
});

describe('/forget across instances', () => {
  it('a turn that began on another instance before the /forget does not write the session back', async () => {
    const prefix = `race-${randomUUID()}`;
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let reading!: () => void;
    const read = new Promise<void>((resolve) => {
      reading = resolve;
    });
    // Instance B stalls inside a turn after it has read the session (a slow request API, say).
    const b = instance(prefix, async (ctx) => {
      ctx.session.raceNote = 'my phone is 29123456';
      reading();
      await held;
    });
    const a = instance(prefix, async (ctx) => {
      if (ctx.args === 'forget') await ctx.core.forget(ctx);
      else ctx.session.raceNote = 'kept';
    });
    stores.push(a.store, b.store);
    const msg = { channel: 'telegram' as const, userId: '42', chatId: '42' };

    await a.core.handle({ ...msg, text: 'hello' });
    expect((await a.sessions.get('telegram:42'))?.raceNote).toBe('kept');

    const slow = b.core.handle({ ...msg, text: 'a slow question' });
    await read;
    await a.core.handle({ ...msg, text: 'forget' });
    expect(await a.sessions.get('telegram:42')).toBeUndefined();
    release();
    await slow;

    expect(await a.sessions.get('telegram:42')).toBeUndefined();
  });

  it('a turn that read the session while the /forget ran on another instance does not write it back', async () => {
    const prefix = `race-${randomUUID()}`;
    let releaseHook!: () => void;
    const hookHeld = new Promise<void>((resolve) => {
      releaseHook = resolve;
    });
    let inHook!: () => void;
    const hookEntered = new Promise<void>((resolve) => {
      inHook = resolve;
    });
    let releaseTurn!: () => void;
    const turnHeld = new Promise<void>((resolve) => {
      releaseTurn = resolve;
    });
    let inTurn!: () => void;
    const turnEntered = new Promise<void>((resolve) => {
      inTurn = resolve;
    });
    const a = instance(prefix, async (ctx) => {
      if (ctx.args === 'forget') await ctx.core.forget(ctx);
      else ctx.session.raceNote = 'kept';
    });
    // A's erasure stalls in a feature's hook: after the first mark, before the session is deleted.
    a.core.onForget(async () => {
      inHook();
      await hookHeld;
    });
    const b = instance(prefix, async (ctx) => {
      ctx.session.raceNote = 'written back';
      inTurn();
      await turnHeld;
    });
    stores.push(a.store, b.store);
    const msg = { channel: 'web' as const, userId: 'v9', chatId: 'v9' };
    await a.core.handle({ ...msg, text: 'hello' });

    const erasing = a.core.handle({ ...msg, text: 'forget' });
    await hookEntered;
    const slow = b.core.handle({ ...msg, text: 'a question' });
    await turnEntered;
    releaseHook();
    await erasing;
    releaseTurn();
    await slow;

    expect(await a.sessions.get('web:v9')).toBeUndefined();
  });

  it('a turn right after the /forget keeps its session', async () => {
    const prefix = `race-${randomUUID()}`;
    const a = instance(prefix, async (ctx) => {
      if (ctx.args === 'forget') await ctx.core.forget(ctx);
      else ctx.session.raceNote = ctx.args;
    });
    stores.push(a.store);
    const msg = { channel: 'web' as const, userId: 'v1', chatId: 'v1' };
    await a.core.handle({ ...msg, text: 'forget' });
    await a.core.handle({ ...msg, text: 'after' });
    expect((await a.sessions.get('web:v1'))?.raceNote).toBe('after');
  });

  it('keeps no user id in the mark', async () => {
    const prefix = `race-${randomUUID()}`;
    const a = instance(prefix, async (ctx) => ctx.core.forget(ctx));
    stores.push(a.store);
    await a.core.handle({ channel: 'web', userId: 'visitor-7f3a', chatId: 'visitor-7f3a', text: 'x' });
    const keys: string[] = [];
    for await (const [key] of a.store.kv<string>('forgotten').iterator()) keys.push(key);
    expect(keys).toHaveLength(1);
    expect(keys[0]).not.toContain('visitor-7f3a');
  });
});
