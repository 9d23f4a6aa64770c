import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from 'pino';

/**
 * Bolt's and the Web API client's log lines into pino. Only warnings and errors, and only their
 * message (never the payload objects Bolt may pass along: they can carry user text).
 */
export function boltLogger(log: Logger): BoltLogger {
  const child = log.child({ source: 'slack' });
  const message = (args: unknown[]) =>
    args
      .map((a) => (a instanceof Error ? `${a.name}: ${a.message}` : typeof a === 'string' ? a : ''))
      .join(' ')
      .slice(0, 300);
  return {
    debug: () => undefined,
    info: () => undefined,
    warn: (...args: unknown[]) => child.warn(message(args)),
    error: (...args: unknown[]) => child.error(message(args)),
    setLevel: () => undefined,
    getLevel: () => LogLevel.WARN,
    setName: () => undefined,
  };
}
