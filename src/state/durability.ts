import type { Logger } from 'pino';
import { errorInfo } from '../core/errors.js';
import type { Service } from '../core/feature.js';
import type { Store } from './store.js';

/** What can make the store lose a recorded request, as operators read it in /readyz and the log. */
export const RISKS = {
  noPersistence:
    'Redis keeps data only in memory (no AOF, no RDB snapshots): a Redis restart loses recorded requests; turn on appendonly yes',
  eviction:
    'Redis may evict keys under memory pressure (maxmemory-policy is not noeviction): recorded requests can vanish; set maxmemory-policy noeviction',
  unknown:
    'Redis persistence settings could not be read (CONFIG and INFO refused): make sure AOF or RDB is on and maxmemory-policy is noeviction',
} as const;
export type Risk = keyof typeof RISKS;

const EVERY_MS = 60_000;

/**
 * Reads the store's persistence settings at start and then every minute (a Redis restarted with
 * another configuration is noticed): a warning in the log when they change for the worse, the
 * risks for /readyz and the `thunder_state_durability_risk` gauge. The embedded SQLite file has none.
 */
export function durabilityWatch(store: Store, log: Logger, everyMs = EVERY_MS): { service: Service; risks(): Risk[] } {
  let risks: Risk[] = [];
  let timer: NodeJS.Timeout | undefined;
  const check = async (): Promise<void> => {
    let now: Risk[];
    try {
      now = await store.durabilityRisks();
    } catch (err) {
      // Redis unreachable: /readyz already says so; keep what we knew.
      log.debug({ err: errorInfo(err) }, 'state: persistence check skipped');
      return;
    }
    const added = now.filter((r) => !risks.includes(r));
    for (const risk of added) log.warn({ risk }, `state: ${RISKS[risk]}`);
    risks = now;
  };
  return {
    risks: () => risks,
    service: {
      name: 'state-durability',
      async start() {
        await check();
        timer = setInterval(() => void check(), everyMs);
        timer.unref();
      },
      async stop() {
        clearInterval(timer);
      },
    },
  };
}
