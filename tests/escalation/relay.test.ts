import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GrammyError } from 'grammy';
import { deliveryError as slackError } from '../../src/channels/slack/desk.js';
import { deliveryError as telegramError } from '../../src/channels/telegram/index.js';
import { ErrorCode, ThunderError } from '../../src/core/errors.js';
import { Relay } from '../../src/escalation/relay.js';
import { createLogger } from '../../src/log/logger.js';
import { Queue } from '../../src/state/queue.js';
import { Store } from '../../src/state/store.js';
import { REDIS_URL, uniquePrefix } from '../helpers/app.js';
import { until } from '../helpers/wait.js';

const log = createLogger('silent');
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

function sqliteStore(): Store {
  const dir = mkdtempSync(join(tmpdir(), 'thunder-relay-unit-'));
  const store = new Store({ dataDir: dir, prefix: uniquePrefix('relay') });
  cleanup.push(
    () => rmSync(dir, { recursive: true, force: true }),
    () => store.close(),
  );
  return store;
}

function relayOn(store: Store): Relay {
  const queue = new Queue({ space: store.kv('jobs'), log, ttlMs: 60_000, tickMs: 20, leaseMs: 1000 });
  const relay = new Relay(queue, { baseDelayMs: 50, maxDelayMs: 200 });
  cleanup.push(() => queue.stop());
  return relay;
}

describe('relay (durable ordered outbox, real SQLite / Redis)', () => {
  it('keeps order within a queue through failures, and one failing queue does not hold up another', async () => {
    const relay = relayOn(sqliteStore());
    const seen: string[] = [];
    let failures = 3;
    relay.on('send', async (d) => {
      const { q, n } = d as { q: string; n: number };
      if (q === 'a' && n === 1 && failures-- > 0) throw new Error('down');
      seen.push(`${q}${n}`);
    });
    await relay.queue.start();
    for (let n = 1; n <= 3; n++) await relay.enqueue('a', 'send', { q: 'a', n });
    await relay.enqueue('b', 'send', { q: 'b', n: 1 });
    await until(() => seen.includes('b1'));
    expect(seen.filter((s) => s.startsWith('a'))).toEqual([]);
    await until(() => seen.length === 4);
    expect(seen.filter((s) => s.startsWith('a'))).toEqual(['a1', 'a2', 'a3']);
    // A job is deleted right after its handler succeeds.
    await until(async () => (await relay.pending()) === 0);
  });

  it('drops what can never be delivered (blocked chat, missing channel) and moves on', async () => {
    const relay = relayOn(sqliteStore());
    const seen: number[] = [];
    const errors: unknown[] = [
      telegramError(
        new GrammyError(
          'Forbidden',
          { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' },
          'sendMessage',
          {},
        ),
      ),
      slackError(
        Object.assign(new Error('An API error occurred: channel_not_found'), {
          code: 'slack_webapi_platform_error',
          data: { error: 'channel_not_found' },
        }),
      ),
      new ThunderError(ErrorCode.JobUndeliverable, 'gone'),
    ];
    relay.on('send', async (d) => {
      const n = (d as { n: number }).n;
      if (n <= errors.length) throw errors[n - 1];
      seen.push(n);
    });
    await relay.queue.start();
    for (let n = 1; n <= 4; n++) await relay.enqueue('q', 'send', { n });
    await until(() => seen.length === 1);
    expect(seen).toEqual([4]);
    await until(async () => (await relay.pending()) === 0);
  });

  it('waits at least as long as the platform asks (retry_after) before trying again', async () => {
    const relay = relayOn(sqliteStore());
    const attempts: number[] = [];
    relay.on('send', async () => {
      attempts.push(Date.now());
      if (attempts.length === 1) {
        throw telegramError(
          new GrammyError(
            'Too Many Requests',
            { ok: false, error_code: 429, description: 'Too Many Requests', parameters: { retry_after: 1 } },
            'sendMessage',
            {},
          ),
        );
      }
    });
    await relay.queue.start();
    await relay.enqueue('q', 'send', {});
    await until(() => attempts.length === 2);
    expect(attempts[1]! - attempts[0]!).toBeGreaterThanOrEqual(1000);
  });

  it('drop() removes queued jobs (used by /forget) so they are never sent', async () => {
    const relay = relayOn(sqliteStore());
    const seen: string[] = [];
    relay.on('send', async (d) => void seen.push((d as { text: string }).text));
    await relay.enqueue('customer:T-1', 'send', { text: 'private' });
    await relay.enqueue('desk:T-1', 'send', { text: 'private too' });
    await relay.enqueue('customer:T-2', 'send', { text: 'other ticket' });
    expect(await relay.drop(['customer:T-1', 'desk:T-1'])).toBe(2);
    await relay.queue.start();
    await until(() => seen.length === 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(seen).toEqual(['other ticket']);
  });

  it('two instances on one Redis deliver every job once', async () => {
    const prefix = uniquePrefix('relay2');
    const stores = [
      new Store({ redisUrl: REDIS_URL, dataDir: tmpdir(), prefix }),
      new Store({ redisUrl: REDIS_URL, dataDir: tmpdir(), prefix }),
    ];
    cleanup.push(
      () => stores[0]!.close(),
      () => stores[1]!.close(),
    );
    const [a, b] = stores.map(relayOn) as [Relay, Relay];
    const seen: number[] = [];
    for (const relay of [a, b]) relay.on('send', async (d) => void seen.push((d as { n: number }).n));
    await b.queue.start();
    await a.queue.start();
    for (let n = 0; n < 30; n++) await (n % 2 ? a : b).enqueue(`q${n % 5}`, 'send', { n });
    await until(() => seen.length >= 30);
    await new Promise((r) => setTimeout(r, 300));
    expect(seen.slice().sort((x, y) => x - y)).toEqual([...Array(30).keys()]);
  });
});
