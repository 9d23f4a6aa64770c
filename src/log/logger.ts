import { pino, type Logger } from 'pino';

/**
 * Structured JSON logs. Code logs ids and counts only; the redaction list is a safety net
 * for any field that could carry personal data or secrets.
 */
export const REDACT_PATHS = [
  'text',
  '*.text',
  'name',
  '*.name',
  'email',
  '*.email',
  'phone',
  '*.phone',
  'details',
  '*.details',
  'subject',
  '*.subject',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'headers.authorization',
];

export function createLogger(level = process.env.LOG_LEVEL ?? 'info', destination?: pino.DestinationStream): Logger {
  return pino({ level, base: { app: 'thunder' }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, destination);
}

export type { Logger };
