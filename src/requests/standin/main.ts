import 'dotenv/config';
import { resolve } from 'node:path';
import { loadConfig, standinDir } from '../../config/index.js';
import { createLogger } from '../../log/logger.js';
import { startStandin } from './server.js';

/** `npm run request-api`: the stand-in request API on its own, e.g. for a second Thunder instance. */
const cfg = loadConfig();
const log = createLogger(cfg.LOG_LEVEL);
const file = resolve(standinDir(cfg), 'request-api.sqlite');
const api = await startStandin({ file, token: cfg.REQUEST_API_TOKEN, host: cfg.HOST, port: cfg.REQUEST_API_PORT });
log.info({ url: api.url, auth: Boolean(cfg.REQUEST_API_TOKEN) }, `stand-in request API listening on ${api.url} (data in ${file})`);

async function stop(): Promise<void> {
  await api.close();
  process.exit(0);
}
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
