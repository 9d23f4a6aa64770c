import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/logger.js';
import { MissingData, Queue } from '../../src/state/queue.js';
import { Store } from '../../src/state/store.js';
import { REDIS_URL, uniquePrefix } from '../helpers/app.js';

const dirs: string[] = [];
const stores: Store[] = [];
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function sqlite(dir = mkdtempSync(join(tmpdir(), 'thunder-port-'))): Store {
  dirs.push(dir);
  const s = new Store({ dataDir: dir, prefix: uniquePrefix('port') });
  stores.push(s);
  return s;
}
function redis(prefix = uniquePrefix('port')): Store {
  const s = new Store({ dataDir: tmpdir(), redisUrl: REDIS_URL, prefix });
  stores.push(s);
  return s;
}

async function until(check: () => boolean | Promise<boolean>, timeout = 5000): Promise<void> {
  const end = Date.now() + timeout;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe.each([
  ['sqlite', () => sqlite()],
  ['redis', () => redis()],
])('storage port on %s', (_, make) => {
  it('lock: one holder at a time; a holder whose lock expired cannot release or extend its successor’s', async () => {
    const space = make().kv('locks');
    const first = await space.lock('k', 80);
    expect(first).toBeDefined();
    expect(await space.lock('k', 80)).toBeUndefined();
    await new Promise((r) => setTimeout(r, 120));
    const second = await space.lock('k', 5000);
    expect(second).toBeDefined();
    expect(await first!.release()).toBe(false);
    expect(await first!.extend(5000)).toBe(false);
    expect(await space.lock('k', 80)).toBeUndefined();
    expect(await second!.extend(5000)).toBe(true);
    expect(await second!.release()).toBe(true);
    expect(await space.lock('k', 80)).toBeDefined();
  });

  it('lock: of 20 concurrent takers exactly one wins', async () => {
    const space = make().kv('locks');
    const got = await Promise.all(Array.from({ length: 20 }, () => space.lock('race', 5000)));
    expect(got.filter(Boolean)).toHaveLength(1);
  });

  it('once, counters and iteration by prefix', async () => {
    const space = make().kv<unknown>('misc');
    const firsts = await Promise.all(Array.from({ length: 10 }, () => space.once('event-1', 5000)));
    expect(firsts.filter(Boolean)).toHaveLength(1);
    const counts = await Promise.all(Array.from({ length: 10 }, () => space.incr('n', 2, 5000)));
    expect(Math.max(...counts)).toBe(20);
    await space.set('a:1', 1);
    await space.set('a:2', 2);
    await space.set('b:1', 3);
    const listed: [string, unknown][] = [];
    for await (const e of space.iterator('a:')) listed.push(e);
    expect(listed.sort()).toEqual([
      ['a:1', 1],
      ['a:2', 2],
    ]);
  });

  it('batch writes a value and its index entries together; indexes list by score', async () => {
    const space = make().kv<unknown>('idx');
    await space.batch([
      { op: 'set', key: 'x', value: { v: 1 } },
      { op: 'zadd', key: 'ix', member: 'b', score: 2, ttlMs: 5000 },
      { op: 'zadd', key: 'ix', member: 'a', score: 1, ttlMs: 5000 },
    ]);
    expect(await space.get('x')).toEqual({ v: 1 });
    expect((await space.zrange('ix', Infinity)).map((e) => e.member)).toEqual(['a', 'b']);
    expect((await space.zrange('ix', 1.5)).map((e) => e.member)).toEqual(['a']);
    await space.batch([{ op: 'zadd', key: 'ix', member: 'a', score: 9, ttlMs: 5000, onlyIfAbsent: true }]);
    expect((await space.zrange('ix', 1.5)).map((e) => e.member)).toEqual(['a']);
    expect(await space.zremIfEmpty('ix', 'a', 'other')).toBe(true);
    expect(await space.zcard('ix')).toBe(1);
  });
});

describe('job queue', () => {
  it('a job listed without its data is an error in the log and a metric, and the group goes on', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(c: Buffer, _e, done) {
        lines.push(c.toString());
        done();
      },
    });
    const log = createLogger('info', sink);
    const queue = new Queue({ space: sqlite().kv('jobs'), log, ttlMs: 60_000, tickMs: 20 });
    const seen: number[] = [];
    const events: string[] = [];
    queue.observe((e) => events.push(e));
    queue.define('send', {
      handle: async (d) => {
        const n = (d as { n: number }).n;
        if (n === 1) throw new MissingData('gone');
        seen.push(n);
      },
    });
    await queue.add('send', { n: 1 }, { group: 'g' });
    await queue.add('send', { n: 2 }, { group: 'g' });
    await queue.start();
    try {
      await until(() => seen.length === 1);
      expect(seen).toEqual([2]);
      expect(events).toContain('missing');
      expect(lines.join('')).toContain('"level":50');
    } finally {
      await queue.stop();
    }
  });

  it('a dead holder’s lease expires and another instance takes the group over (Redis)', async () => {
    const prefix = uniquePrefix('takeover');
    const space = redis(prefix).kv('jobs');
    const b = new Queue({ space: redis(prefix).kv('jobs'), log: createLogger('silent'), ttlMs: 60_000, tickMs: 50 });
    const seen: number[] = [];
    b.define('send', { handle: async () => void seen.push(Date.now()) });
    await b.add('send', {}, { group: 'chat' });
    // What a SIGKILLed instance leaves behind: the group's lease, never released nor extended.
    const dead = await space.lock('lease:chat', 400);
    expect(dead).toBeDefined();
    const since = Date.now();
    await b.start();
    try {
      await until(() => seen.length === 1, 5000);
      expect(seen[0]! - since).toBeGreaterThanOrEqual(350);
    } finally {
      await b.stop();
    }
  });
});
