import { afterEach, describe, expect, it } from 'vitest';
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

  it('exits 0 on SIGTERM with Redis state too', async () => {
    instance = await spawnThunder({ REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', STORE_PREFIX: `test-sigterm-${process.pid}` });
    expect((await fetch(`${instance.url}/readyz`)).status).toBe(200);
    instance.kill('SIGTERM');
    expect(await instance.exited).toBe(0);
  });
});
