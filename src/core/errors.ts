/**
 * Every error Thunder throws on purpose, in bolt-js's style: one class with a stable string code,
 * so callers branch on `code` and `retryable`, never on a message or on another SDK's shapes.
 */

export const ErrorCode = {
  /** The environment does not make a valid configuration. */
  ConfigInvalid: 'thunder_config_invalid',
  /** A knowledge file cannot be used. */
  KnowledgeInvalid: 'thunder_knowledge_invalid',
  /** A middleware called `next()` twice. */
  NextCalledTwice: 'thunder_next_called_twice',
  /** Replies for a channel that is not on. */
  ChannelOff: 'thunder_channel_off',
  /** A platform did not take a message (see `DeliveryError`). */
  DeliveryFailed: 'thunder_delivery_failed',
  /** A queued job that can never be done (its ticket is gone, no desk, no handler). */
  JobUndeliverable: 'thunder_job_undeliverable',
  /** A lock stayed taken past the wait its caller allows (another instance holds it). */
  LockBusy: 'thunder_lock_busy',
  /** The store did not take a write. */
  StoreFailed: 'thunder_store_failed',
  /** A dependency that is started lazily was used before its start. */
  NotStarted: 'thunder_not_started',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface ThunderErrorOptions {
  /** Trying again later may succeed (network, rate limit, 5xx). */
  retryable?: boolean;
  /** The other side's own "retry after", in ms. */
  retryAfterMs?: number | undefined;
  cause?: unknown;
}

export class ThunderError extends Error {
  override name = 'ThunderError';
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;

  constructor(code: ErrorCode, message: string, opts: ThunderErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.code = code;
    this.retryable = opts.retryable ?? false;
    this.retryAfterMs = opts.retryAfterMs;
  }
}

/**
 * A platform refused or failed to take a message. Each channel adapter builds it from its own
 * SDK's errors (grammY's GrammyError/HttpError, Slack's platform errors, Meta's Graph errors),
 * so the relay and the outbox decide on `retryable` alone.
 */
export class DeliveryError extends ThunderError {
  override name = 'DeliveryError';
  /** The adapter's class of failure (Meta's `window`, `token`…), for its own handling and for metrics. */
  readonly reason: string;
  /** The platform's own status and codes, for logs. */
  readonly platform: { status?: number; code?: number | string; subcode?: number };

  constructor(
    readonly channel: string,
    message: string,
    opts: ThunderErrorOptions & { reason?: string; platform?: DeliveryError['platform'] } = {},
  ) {
    super(ErrorCode.DeliveryFailed, message, opts);
    this.reason = opts.reason ?? (this.retryable ? 'retry' : 'refused');
    this.platform = opts.platform ?? {};
  }
}

/** The environment does not make a valid configuration; the message lists every problem at once. */
export class ConfigError extends ThunderError {
  override name = 'ConfigError';

  constructor(readonly problems: string[]) {
    super(ErrorCode.ConfigInvalid, `Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** A knowledge file that cannot be used; the message names the file, entry and field. */
export class KnowledgeError extends ThunderError {
  override name = 'KnowledgeError';

  constructor(message: string) {
    super(ErrorCode.KnowledgeInvalid, message);
  }
}

/** True unless the error says retrying cannot help; errors we did not classify are retried. */
export function isRetryable(err: unknown): boolean {
  return err instanceof ThunderError ? err.retryable : true;
}

/** Error details safe for logs: code, name, message and stack, never the context (it holds user text). */
export function errorInfo(err: unknown): { name: string; message: string; code?: string; stack?: string | undefined } {
  if (err instanceof ThunderError) return { name: err.name, code: err.code, message: err.message, stack: err.stack };
  return err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : { name: 'unknown', message: String(err) };
}

/**
 * The one vocabulary of HTTP error codes, for Thunder's own JSON APIs (`{ error: { code, message } }`)
 * and the stand-in request API alike; the names are the request API contract's
 * (docs/request-api.openapi.yaml), plus `unknown_session` of the web chat.
 */
export const HTTP_ERROR_CODES = [
  'invalid_json',
  'validation_failed',
  'payload_too_large',
  'unsupported_media_type',
  'missing_idempotency_key',
  'idempotency_key_reuse',
  'idempotency_in_progress',
  'unauthorized',
  'not_found',
  'unknown_session',
  'rate_limited',
  'internal',
  'unavailable',
] as const;
export type HttpErrorCode = (typeof HTTP_ERROR_CODES)[number];

/** Process exit codes, from sysexits.h where one fits. */
export const ExitCode = {
  Ok: 0,
  Failure: 1,
  /** EX_USAGE: the command line is wrong. */
  Usage: 64,
  /** EX_DATAERR: input data (the knowledge base) is wrong. */
  DataError: 65,
  /** EX_CONFIG: the configuration is wrong. */
  Config: 78,
} as const;
