import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Store } from '../../src/state/store.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function sqliteStore(dir = mkdtempSync(join(tmpdir(), 'thunder-store-'))): Store {
  dirs.push(dir);
  return new Store({ dataDir: dir });
}

/** A port nothing listens on: taken from the OS, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

describe.each([
  ['sqlite', () => sqliteStore()],
  ['redis', () => new Store({ dataDir: tmpdir(), redisUrl: REDIS_URL, prefix: `store-${process.pid}-${Date.now()}` })],
])('Store on %s', (_, make) => {
  it('keeps namespaces apart, expires keys after their TTL and lists a namespace', async () => {
    const store = make();
    try {
      const a = store.kv<{ n: number }>('a');
      const b = store.kv<string>('b');
      const short = store.kv<string>('short', 50);
      await a.set('k', { n: 1 });
      await b.set('k', 'bee');
      await short.set('k', 'gone soon');
      expect(await a.get('k')).toEqual({ n: 1 });
      expect(await b.get('k')).toBe('bee');
      await a.delete('k');
      expect(await a.get('k')).toBeUndefined();
      expect(await b.get('k')).toBe('bee');
      await new Promise((r) => setTimeout(r, 120));
      expect(await short.get('k')).toBeUndefined();
      const listed: string[] = [];
      for await (const [key] of b.iterator!(undefined)) listed.push(String(key));
      expect(listed).toEqual(['k']);
    } finally {
      await store.close();
    }
  });
});

describe('Store failures', () => {
  it('a value written on SQLite is there for the next process on the same file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'thunder-store-'));
    const first = sqliteStore(dir);
    await first.kv('session').set('u1', { lang: 'en' });
    await first.close();
    const second = sqliteStore(dir);
    expect(await second.kv('session').get('u1')).toEqual({ lang: 'en' });
    await second.close();
  });

  it('with Redis unreachable, reads and writes fail quickly instead of hanging or passing as "not found"', async () => {
    const store = new Store({ dataDir: tmpdir(), redisUrl: `redis://127.0.0.1:${await closedPort()}` });
    const space = store.kv('session');
    const started = Date.now();
    await expect(space.get('u1')).rejects.toThrow();
    await expect(space.set('u1', { lang: 'lv' })).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(10_000);
    await store.close().catch(() => undefined);
  });

  it('when Redis goes away mid-run, commands fail within seconds and work again once it is back', async () => {
    const port = await closedPort();
    const start = () =>
      spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    let server = start();
    const store = new Store({ dataDir: tmpdir(), redisUrl: `redis://127.0.0.1:${port}` });
    const space = store.kv<string>('session');
    try {
      await waitFor(() => space.set('u1', 'before'));
      server.kill('SIGKILL');
      const started = Date.now();
      await expect(space.get('u1')).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(10_000);
      server = start();
      await waitFor(() => space.set('u1', 'after'));
      expect(await space.get('u1')).toBe('after');
    } finally {
      server.kill('SIGKILL');
      await store.close().catch(() => undefined);
    }
  });
});

async function waitFor(op: () => Promise<unknown>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      await op();
      return;
    } catch (err) {
      if (Date.now() > end) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
