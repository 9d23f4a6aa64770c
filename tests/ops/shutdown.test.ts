import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FaultApi } from '../requests/fault-api.js';
import { until } from '../requests/drive.js';
import { WAIT_MS } from '../helpers/wait.js';
import { ChatClient } from '../web/chat-client.js';
import { spawnThunder, type Instance } from './spawn.js';

let instance: Instance | undefined;
afterEach(async () => {
  await instance?.cleanup();
  instance = undefined;
});

describe('graceful shutdown', () => {
  it('on SIGTERM finishes the replies in flight, stops every service and exits 0', async () => {
    instance = await spawnThunder();
    const chat = new ChatClient(instance.url);
    const sid = await chat.session('lv');
    expect((await chat.say(sid, { text: 'Kas ir pārzinis?' })).length).toBeGreaterThan(0);

    // Requests sent just before the signal must still be answered.
    const inFlight = Array.from({ length: 20 }, (_, i) => chat.say(sid, { text: `Kādas ir manas tiesības? ${i}` }));
    await new Promise((r) => setTimeout(r, 5));
    instance.kill('SIGTERM');
    const answered = await Promise.allSettled(inFlight);
    const code = await instance.exited;

    expect(code).toBe(0);
    const messages = instance.logs.map((l) => l.msg);
    expect(messages).toContain('shutting down');
    expect(instance.logs.find((l) => l.msg === 'stopped')).toMatchObject({ clean: true });
    // Every request either got its full answer or was never accepted (connection refused): none cut off.
    for (const r of answered) {
      if (r.status === 'fulfilled') expect(r.value.length).toBeGreaterThan(0);
      else expect(String((r.reason as Error).cause ?? r.reason)).toMatch(/ECONNREFUSED|ECONNRESET|other side closed|SocketError/);
    }
    expect(answered.filter((r) => r.status === 'fulfilled').length).toBeGreaterThan(0);
    await expect(fetch(`${instance.url}/healthz`)).rejects.toThrow();
  });

  it('on SIGTERM waits for a rights request in flight to the request API before exiting', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'thunder-api-'));
    const api = await FaultApi.start(join(dir, 'api.sqlite'));
    try {
      api.plan.push({ delayMs: 1500 });
      instance = await spawnThunder(api.env());
      const chat = new ChatClient(instance.url);
      const sid = await chat.session('en');
      await chat.say(sid, { text: '/rights' });
      await chat.say(sid, { button: 'rq:right:erasure' });
      await chat.say(sid, { text: 'Jana Bērziņa' });
      await chat.say(sid, { text: 'jana@example.lv' });
      await chat.say(sid, { button: 'rq:skip' });
      await chat.say(sid, { button: 'rq:confirm' });
      await until(() => api.postCount === 1, WAIT_MS, 'the request to reach the API');

      instance.kill('SIGTERM');
      expect(await instance.exited).toBe(0);
      const order = instance.logs.map((l) => l.msg);
      const accepted = order.indexOf('request accepted by the request API');
      expect(accepted).toBeGreaterThan(order.indexOf('shutting down'));
      expect(accepted).toBeLessThan(order.indexOf('stopped'));
      expect(api.postCount).toBe(1);
    } finally {
      await api.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits 0 on SIGTERM with Redis state too', async () => {
    instance = await spawnThunder({
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      STORE_PREFIX: `test-sigterm-${process.pid}`,
    });
    expect((await fetch(`${instance.url}/readyz`)).status).toBe(200);
    instance.kill('SIGTERM');
    expect(await instance.exited).toBe(0);
  });
});
