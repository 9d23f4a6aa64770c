import 'dotenv/config';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config/index.js';
import { createLogger } from './log/logger.js';
import { errorInfo, ExitCode } from './core/errors.js';
import { boundHeapGrowth } from './ops/heap.js';

boundHeapGrowth();

function config() {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(ExitCode.Config);
    }
    throw err;
  }
}

const cfg = config();
const log = createLogger(cfg.LOG_LEVEL);
const app = createApp(cfg, { log });

const server = serve({ fetch: app.http.fetch, hostname: cfg.HOST, port: cfg.PORT });
await once(server, 'listening').catch((err: NodeJS.ErrnoException) => {
  log.fatal(
    { code: err.code, host: cfg.HOST, port: cfg.PORT },
    `cannot listen on ${cfg.HOST}:${cfg.PORT} (${err.code ?? err.message}): set PORT to a free port`,
  );
  process.exit(ExitCode.Failure);
});
const port = (server.address() as AddressInfo).port;
const opsServer = app.opsHttp && serve({ fetch: app.opsHttp.fetch, hostname: cfg.HOST, port: cfg.OPS_PORT ?? 0 });
if (opsServer) {
  await once(opsServer, 'listening').catch((err: NodeJS.ErrnoException) => {
    log.fatal(
      { code: err.code, host: cfg.HOST, port: cfg.OPS_PORT },
      `cannot listen on ${cfg.HOST}:${cfg.OPS_PORT} (${err.code ?? err.message}): set OPS_PORT to a free port`,
    );
    process.exit(ExitCode.Failure);
  });
}
const opsPort = opsServer && (opsServer.address() as AddressInfo).port;
for (const service of app.services) await service.start();
log.info(
  { channels: app.channels, store: app.store.kind, port, ...(opsPort !== undefined && { opsPort }) },
  `Thunder is running: channels ${app.channels.join(', ') || 'none'}; state in ${app.store.kind}`,
);

/** Under Docker's default 10 s grace period, so a stuck stop still exits on its own terms. */
const SHUTDOWN_TIMEOUT_MS = 8000;
let stopping = false;
/** Stop taking new HTTP requests and let in-flight ones reply, then stop services in reverse (channels before the outbox flush). */
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'shutting down');
  setTimeout(() => {
    log.error({ timeoutMs: SHUTDOWN_TIMEOUT_MS }, 'shutdown timed out');
    process.exit(ExitCode.Failure);
  }, SHUTDOWN_TIMEOUT_MS).unref();
  let clean = true;
  await Promise.all([server, opsServer].map((s) => s && new Promise<void>((done) => s.close(() => done()))));
  for (const service of [...app.services].reverse()) {
    try {
      await service.stop();
    } catch (err) {
      clean = false;
      log.error({ service: service.name, err: errorInfo(err) }, 'service failed to stop');
    }
  }
  await app.store.close();
  log.info({ clean }, 'stopped');
  process.exit(clean ? ExitCode.Ok : ExitCode.Failure);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
