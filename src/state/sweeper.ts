import type { Service } from '../core/feature.js';
import { errorInfo } from '../core/errors.js';
import type { Logger } from '../log/logger.js';
import type { Store } from './store.js';

const HOUR_MS = 60 * 60 * 1000;

/** Deletes expired state at start and then hourly, so the TTL holds on disk too. */
export function stateSweeper(store: Store, log: Logger, everyMs = HOUR_MS): Service {
  let timer: NodeJS.Timeout | undefined;
  const sweep = async (): Promise<void> => {
    try {
      const removed = await store.sweep();
      if (removed) log.info({ removed }, 'state: expired entries deleted');
    } catch (err) {
      log.warn({ err: errorInfo(err) }, 'state: sweep failed');
    }
  };
  return {
    name: 'state-sweeper',
    async start() {
      await sweep();
      timer = setInterval(() => void sweep(), everyMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
    },
  };
}
