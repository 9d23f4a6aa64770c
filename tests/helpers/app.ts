import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { createClient } from '@redis/client';
import { createApp, type App } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config/index.js';
import type { Feature } from '../../src/core/feature.js';
import type { GapSink } from '../../src/learning/types.js';
import { createLogger, type Logger } from '../../src/log/logger.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface TestAppOptions {
  /** Reuse a data directory (restart tests); otherwise a fresh temp dir, removed on teardown. */
  dataDir?: string;
  /** Reuse a store prefix (restart / two-instance tests); otherwise a unique one. */
  storePrefix?: string;
  /** Also serve app.http on a real 127.0.0.1 port (url in `TestApp.url`). */
  listen?: boolean;
  /** Don't call the services' start() (tests that drive app.core directly). */
  noStart?: boolean;
  log?: Logger;
  /** Telegram polling mode (the bench's baseline uses `simple`). */
  telegramPolling?: 'runner' | 'simple';
  /** The test's own features, mounted after the built-in ones. */
  extraFeatures?: Feature[];
  /** Where gaps go (answer feedback's 👎). */
  gaps?: GapSink;
}

export interface TestApp {
  app: App;
  config: Config;
  dataDir: string;
  storePrefix: string;
  /** http://127.0.0.1:<port> when `listen` was set. */
  url: string | undefined;
  /** Stops services and the server, closes the store, removes the temp dir it made. Idempotent. */
  teardown(): Promise<void>;
}

let counter = 0;

/**
 * Removes a test's keys from the shared Redis (they would otherwise linger for the TTL). Not done
 * by teardown: restart tests start a second app on the same prefix after the first is gone.
 */
export async function dropRedisPrefix(url: string, prefix: string): Promise<void> {
  const client = createClient({ url });
  await client.connect();
  try {
    for await (const keys of client.scanIterator({ MATCH: `*${prefix}*`, COUNT: 500 })) {
      const batch = [keys].flat();
      if (batch.length) await client.del(batch);
    }
  } finally {
    await client.quit();
  }
}

/** A unique prefix per test app: tests stay apart on one Redis. */
export function uniquePrefix(label = 't'): string {
  return `test-${label}-${process.pid}-${Date.now().toString(36)}-${(counter++).toString(36)}`;
}

/**
 * Builds the whole app the way main.ts does (loadConfig → createApp → start services),
 * with a temp DATA_DIR, a unique store prefix, PORT 0 and silent logs. `env` overrides
 * anything, e.g. `{ ...fakeTelegram.env(), REDIS_URL }`.
 */
export async function startTestApp(env: Record<string, string> = {}, opts: TestAppOptions = {}): Promise<TestApp> {
  const ownDir = !opts.dataDir;
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'thunder-test-'));
  const storePrefix = opts.storePrefix ?? uniquePrefix();
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    HOST: '127.0.0.1',
    PORT: '0',
    DATA_DIR: dataDir,
    ...env,
  });
  const log = opts.log ?? createLogger(config.LOG_LEVEL);
  const app = createApp(config, {
    log,
    storePrefix,
    ...(opts.telegramPolling && { telegramPolling: opts.telegramPolling }),
    ...(opts.extraFeatures && { extraFeatures: opts.extraFeatures }),
    ...(opts.gaps && { gaps: opts.gaps }),
  });

  let server: ServerType | undefined;
  let url: string | undefined;
  if (opts.listen) {
    server = await new Promise<ServerType>((done) => {
      const s = serve({ fetch: app.http.fetch, hostname: '127.0.0.1', port: 0 }, () => done(s));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  const started: typeof app.services = [];
  if (!opts.noStart) {
    for (const service of app.services) {
      await service.start();
      started.push(service);
    }
  }

  let done = false;
  async function teardown(): Promise<void> {
    if (done) return;
    done = true;
    for (const service of started.reverse()) await service.stop();
    if (server) {
      const s = server;
      await new Promise<void>((closed) => {
        s.close(() => closed());
        if ('closeAllConnections' in s) s.closeAllConnections();
      });
    }
    await app.store.close();
    if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    rmSync(`${dataDir}-request-api`, { recursive: true, force: true });
  }

  return { app, config, dataDir, storePrefix, url, teardown };
}
