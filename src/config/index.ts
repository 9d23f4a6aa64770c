import { resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { parseWeeklyHours } from '../escalation/hours.js';

export { ConfigError };

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');
const optionalUrl = z.url().optional();
const optionalText = z.string().min(1).optional();

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Every environment variable Thunder reads; documented in the README's configuration table. */
export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** When set, /metrics and /readyz are served only on this port (on HOST), /healthz on both. */
  OPS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  /** Key prefix in the store: instances sharing one Redis use the same prefix. */
  STORE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'use 1-64 of A-Z a-z 0-9 _ -')
    .default('thunder'),
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  STATE_TTL_DAYS: z.coerce.number().positive().max(365).default(30),
  DEFAULT_LANG: z.enum(['lv', 'en']).default('lv'),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(20),
  WEB_CHAT: bool.default(true),
  /** New web-chat sessions per client address and minute, per instance. */
  WEB_SESSIONS_PER_MINUTE: z.coerce.number().int().positive().default(60),
  /** Behind a reverse proxy: take the client address from the last X-Forwarded-For entry. */
  TRUST_PROXY: bool.default(false),
  /** Sites allowed to embed the web chat in a frame (CSP frame-ancestors). */
  WEB_EMBED_ORIGINS: z
    .string()
    .regex(
      /^(\*|'self'|https?:\/\/[^\s;,]+)( (\*|'self'|https?:\/\/[^\s;,]+))*$/,
      "space-separated origins like https://www.example.lv, 'self' or *",
    )
    // Only the page's own origin by default: a company names its sites to embed the chat elsewhere.
    .default("'self'"),

  TELEGRAM_BOT_TOKEN: z
    .string()
    .regex(/^\d+:[\w-]+$/, 'expected <bot id>:<secret> from @BotFather')
    .optional(),
  TELEGRAM_API_ROOT: z
    .url()
    .default('https://api.telegram.org')
    .transform((u) => u.replace(/\/+$/, '')),
  TELEGRAM_WEBHOOK_URL: z.url({ protocol: /^https$/ }).optional(),
  TELEGRAM_WEBHOOK_SECRET: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,256}$/, 'use 1-256 of A-Z a-z 0-9 _ -')
    .optional(),

  SLACK_BOT_TOKEN: z.string().startsWith('xoxb-', 'expected a bot token (xoxb-…)').optional(),
  SLACK_APP_TOKEN: z.string().startsWith('xapp-', 'expected an app-level token (xapp-…)').optional(),
  SLACK_SIGNING_SECRET: optionalText,
  SLACK_SUPPORT_CHANNEL: optionalText,
  SLACK_API_URL: optionalUrl,
  /** Channel where new clusters of unanswered questions are announced for review (at most hourly). */
  SLACK_REVIEW_CHANNEL: optionalText,
  /** Days a question kept for review (redacted, no user id) lives from its first capture. */
  REVIEW_TTL_DAYS: z.coerce.number().positive().max(365).default(30),
  /** How often each instance reads the knowledge overlay's version, to answer from a newer one. */
  REVIEW_POLL_MS: z.coerce.number().int().min(10).default(2000),
  /** Parsed once here into weekdays and minutes; the time zone is SUPPORT_TIMEZONE. */
  SUPPORT_HOURS: z
    .string()
    .default('1-5 09:00-17:00')
    .transform((spec, ctx) => {
      try {
        return parseWeeklyHours(spec);
      } catch {
        ctx.addIssue({
          code: 'custom',
          message: 'expected "1-5 09:00-17:00" (ISO weekdays, local times 00:00-24:00, opening before closing)',
        });
        return z.NEVER;
      }
    }),
  SUPPORT_TIMEZONE: z.string().min(1).refine(isTimeZone, 'expected an IANA time zone such as Europe/Riga').default('Europe/Riga'),
  /** First retry of a relayed message (Slack thread ↔ customer) when delivery fails; doubles per attempt up to 5 min. */
  RELAY_RETRY_BASE_MS: z.coerce.number().int().positive().default(1000),
  /** How long a job stays claimed by an instance that stopped answering: the takeover time after a crash. */
  JOB_LEASE_MS: z.coerce.number().int().min(100).default(5000),
  /** How often each instance looks for due jobs (its own and those of instances that died). */
  JOB_SCAN_MS: z.coerce.number().int().min(10).default(1000),

  /** Meta (Messenger, Instagram, WhatsApp): one webhook at /meta/webhook, on when META_APP_SECRET is set. */
  META_APP_SECRET: optionalText,
  META_VERIFY_TOKEN: optionalText,
  MESSENGER_PAGE_TOKEN: optionalText,
  WHATSAPP_TOKEN: optionalText,
  WHATSAPP_PHONE_NUMBER_ID: z.string().regex(/^\d+$/, 'expected the numeric phone number id from WhatsApp Manager').optional(),
  /** Graph API base with its version; tests point it at a fake. */
  META_GRAPH_URL: z
    .url()
    .default('https://graph.facebook.com/v26.0')
    .transform((u) => u.replace(/\/+$/, '')),
  /** Agent replies 24 h–7 d after the customer's last message go out with Meta's HUMAN_AGENT tag (needs Meta's approval). */
  META_HUMAN_AGENT_TAG: bool.default(false),
  /** Name of an approved WhatsApp template that invites the customer back after the 24-hour window. */
  /** A chat's first message waits this long for others Meta delivered out of order, then all go in timestamp order. */
  META_ORDER_WINDOW_MS: z.coerce.number().int().min(0).max(5000).default(150),
  /** A received message not answered within this (its instance died) is answered by another instance. */
  META_RESCUE_MS: z.coerce.number().int().min(500).default(60_000),
  WHATSAPP_REENGAGE_TEMPLATE: z
    .string()
    .regex(/^[a-z0-9_]{1,512}$/, 'expected a template name: lower-case letters, digits, _')
    .optional(),

  REQUEST_API_URL: optionalUrl,
  REQUEST_API_TOKEN: optionalText,
  REQUEST_API_TIMEOUT_MS: z.coerce.number().int().positive().default(5000),
  REQUEST_API_PORT: z.coerce.number().int().min(0).max(65535).default(4010),
  REQUEST_API_DATA_DIR: z.string().min(1).optional(),
  REQUEST_REF_SECRET: z.string().min(16, 'use at least 16 characters').optional(),
  REQUEST_RETRY_BASE_MS: z.coerce.number().int().positive().default(2000),
  REQUEST_RETRY_MAX_MS: z.coerce
    .number()
    .int()
    .positive()
    .default(10 * 60 * 1000),
  /** A request the API keeps refusing (401/403/404/422) this long is parked as failed; staff and the customer are told. */
  REQUEST_PARK_AFTER_MS: z.coerce
    .number()
    .int()
    .positive()
    .default(24 * 60 * 60 * 1000),
});

export type Config = z.infer<typeof configSchema>;

/** Parses the environment once; empty strings count as unset so `.env` templates stay harmless. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = configSchema.safeParse(raw);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  // Checked on the raw values too, so one error lists every problem at once.
  if (raw.SLACK_BOT_TOKEN && !raw.SLACK_APP_TOKEN && !raw.SLACK_SIGNING_SECRET) {
    problems.push('SLACK_SIGNING_SECRET: required with SLACK_BOT_TOKEN unless SLACK_APP_TOKEN (Socket Mode) is set');
  }
  if (raw.TELEGRAM_WEBHOOK_URL && !raw.TELEGRAM_WEBHOOK_SECRET) {
    problems.push('TELEGRAM_WEBHOOK_SECRET: required with TELEGRAM_WEBHOOK_URL so forged updates can be refused');
  }
  if (raw.TELEGRAM_WEBHOOK_URL && !raw.TELEGRAM_BOT_TOKEN) {
    problems.push('TELEGRAM_BOT_TOKEN: required with TELEGRAM_WEBHOOK_URL');
  }
  if (raw.META_APP_SECRET && !raw.META_VERIFY_TOKEN) {
    problems.push('META_VERIFY_TOKEN: required with META_APP_SECRET for the webhook handshake');
  }
  if (raw.META_APP_SECRET && !raw.MESSENGER_PAGE_TOKEN && !raw.WHATSAPP_TOKEN) {
    problems.push('MESSENGER_PAGE_TOKEN or WHATSAPP_TOKEN: set at least one with META_APP_SECRET');
  }
  if (raw.WHATSAPP_TOKEN && !raw.WHATSAPP_PHONE_NUMBER_ID) {
    problems.push('WHATSAPP_PHONE_NUMBER_ID: required with WHATSAPP_TOKEN');
  }
  if (problems.length || !parsed.success) throw new ConfigError(problems);
  return parsed.data;
}

/**
 * Where the embedded stand-in request API keeps its requests: beside DATA_DIR, not in it, because it
 * stands for the company's own system; DATA_DIR holds only what the bot keeps (erased by /forget).
 */
export function standinDir(cfg: Pick<Config, 'DATA_DIR' | 'REQUEST_API_DATA_DIR'>): string {
  return resolve(cfg.REQUEST_API_DATA_DIR ?? `${resolve(cfg.DATA_DIR)}-request-api`);
}
