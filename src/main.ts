import 'dotenv/config';
import { serve } from '@hono/node-server';
import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config/index.js';
import { createLogger } from './log/logger.js';

function config() {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
}

const cfg = config();
const log = createLogger(cfg.LOG_LEVEL);
const app = createApp(cfg, { log });

const server = serve({ fetch: app.http.fetch, hostname: cfg.HOST, port: cfg.PORT });
for (const service of app.services) await service.start();
log.info(
  { channels: app.channels, store: app.store.kind, port: cfg.PORT },
  `Thunder is running: channels ${app.channels.join(', ') || 'none'}; state in ${app.store.kind}`,
);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'shutting down');
  await new Promise<void>((done) => server.close(() => done()));
  for (const service of [...app.services].reverse()) await service.stop();
  await app.store.close();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
