import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropRedisPrefix, REDIS_URL, startTestApp, uniquePrefix } from '../helpers/app.js';
import { spawnTestApp } from '../helpers/child.js';
import { FakeTelegram } from '../helpers/fake-telegram.js';
import { htmlText, tr } from '../helpers/locales.js';
import { redisKeysWith, sqliteRowsWith } from '../helpers/store.js';

let fake: FakeTelegram;
beforeAll(async () => {
  fake = await FakeTelegram.start();
});
afterAll(async () => {
  await fake?.close();
});

async function ask(user: number, text: string, lang = 'lv') {
  fake.sendText(user, text, { lang });
  return htmlText((await fake.nextMessages(user, 1, 8000))[0]!.text);
}

async function press(user: number, data: string, lang = 'lv') {
  fake.pressButton(user, data, { lang });
  return htmlText((await fake.nextMessages(user, 1, 8000))[0]!.text);
}

describe('state in SQLite', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'thunder-state-'));
  const storePrefix = uniquePrefix('sqlite');
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('survives a restart: the language choice is remembered', async () => {
    const first = await startTestApp(fake.env(), { dataDir, storePrefix });
    expect(first.app.store.kind).toBe('sqlite');
    expect(await press(71, 'lang:en')).toBe(tr('en', 'conversation:languageSet'));
    await first.teardown();

    const second = await startTestApp(fake.env(), { dataDir, storePrefix });
    try {
      expect(await ask(71, '/help')).toBe(tr('en', 'conversation:help'));
      expect((await second.app.core.sessions.get('telegram:71'))?.turns.length).toBeGreaterThan(0);
    } finally {
      await second.teardown();
    }
  });

  it('/forget leaves no row about the user in the database', async () => {
    const t = await startTestApp(fake.env(), { dataDir, storePrefix });
    try {
      await ask(72, 'Cik ilgi glabājat manus datus?');
      await press(72, 'lang:en');
      expect((await sqliteRowsWith(dataDir, 'telegram:72')).length).toBeGreaterThan(0);
      await ask(72, '/forget');
      expect(await press(72, 'forget:yes')).toBe(tr('en', 'conversation:forgotten'));
      expect(await sqliteRowsWith(dataDir, 'telegram:72')).toEqual([]);
      expect(await sqliteRowsWith(dataDir, '"chatId":"72"')).toEqual([]);
    } finally {
      await t.teardown();
    }
  });
});

describe('state TTL on disk', () => {
  it('expired entries are deleted from SQLite, live ones kept', async () => {
    const t = await startTestApp({ STATE_TTL_DAYS: '30' });
    try {
      const kv = t.app.store.kv<string>('ttl-probe');
      await kv.set('old', 'gone-soon', 1);
      await kv.set('live', 'stays', 60_000);
      await new Promise((r) => setTimeout(r, 20));
      expect((await sqliteRowsWith(t.dataDir, 'gone-soon')).length).toBe(1);
      expect(await t.app.store.sweep()).toBeGreaterThanOrEqual(1);
      expect(await sqliteRowsWith(t.dataDir, 'gone-soon')).toEqual([]);
      expect(await kv.get('live')).toBe('stays');
    } finally {
      await t.teardown();
    }
  });

  it('sessions carry the configured inactivity TTL', async () => {
    const t = await startTestApp({ STATE_TTL_DAYS: '2' });
    try {
      const before = Date.now();
      await t.app.core.handle({ channel: 'web', userId: 'ttl', chatId: 'ttl', text: '/help' });
      const [row] = await sqliteRowsWith(t.dataDir, 'web:ttl');
      const expires = row!.expires!;
      expect(expires).toBeGreaterThanOrEqual(before + 2 * 86_400_000);
      expect(expires).toBeLessThanOrEqual(Date.now() + 2 * 86_400_000);
    } finally {
      await t.teardown();
    }
  });
});

describe('state in Redis, shared by two processes', () => {
  it('a language chosen through one process is used by the other, and /forget in one erases it for both', async () => {
    const storePrefix = uniquePrefix('redis');
    const env = { REDIS_URL };
    const otherFake = await FakeTelegram.start();
    const here = await startTestApp({ ...fake.env(), ...env }, { storePrefix });
    const there = await spawnTestApp({ ...otherFake.env(), ...env }, { storePrefix });
    try {
      expect(here.app.store.kind).toBe('redis');
      expect(there.pid).not.toBe(process.pid);
      // The same Telegram user reaches the two instances (as with a load balancer in front of webhooks).
      expect(await press(81, 'lang:en')).toBe(tr('en', 'conversation:languageSet'));
      otherFake.sendCommand(81, '/help', { lang: 'lv' });
      expect(htmlText((await otherFake.nextMessages(81, 1, 8000))[0]!.text)).toBe(tr('en', 'conversation:help'));
      expect((await redisKeysWith(REDIS_URL, storePrefix, 'telegram:81')).length).toBeGreaterThan(0);

      otherFake.pressButton(81, 'forget:yes', { lang: 'lv' });
      expect(htmlText((await otherFake.nextMessages(81, 1, 8000))[0]!.text)).toBe(tr('en', 'conversation:forgotten'));
      expect(await redisKeysWith(REDIS_URL, storePrefix, 'telegram:81')).toEqual([]);
      expect(await here.app.core.sessions.get('telegram:81')).toBeUndefined();
      expect(await ask(81, '/help')).toBe(tr('lv', 'conversation:help'));
    } finally {
      await there.stop();
      await here.teardown();
      await dropRedisPrefix(REDIS_URL, storePrefix);
      await otherFake.close();
    }
  });
});
