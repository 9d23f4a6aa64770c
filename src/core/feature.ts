import type { Hono } from 'hono';
import type { ForgetHook, Middleware } from './bot.js';
import type { Channel, Sender } from './types.js';

/** Something a feature starts and must stop cleanly on shutdown (a channel, the outbox, the relay). */
export interface Service {
  name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** A readiness check: resolves true when the dependency answers; a throw or timeout counts as down. */
export type ReadyCheck = () => Promise<boolean>;

/**
 * What a feature contributes, like a grammY plugin: it is built by `createX(deps)` from only the
 * dependencies it uses and never sees the app. `src/app.ts` decides the order features are mounted
 * in, which is the order their middleware runs and their services start.
 */
export interface Feature {
  readonly name: string;
  /** Core middleware, run in this order. */
  readonly middleware?: readonly Middleware[];
  /** Routes on the one HTTP server, mounted at `path`. */
  readonly routes?: readonly { path: string; routes: Hono }[];
  /** How replies outside a turn reach this feature's channel. */
  readonly senders?: Partial<Record<Channel, Sender>>;
  /** Erases what this feature keeps about a user (/forget). */
  readonly onForget?: ForgetHook;
  /** Extra conditions for `/readyz`, by name. */
  readonly readyChecks?: Readonly<Record<string, ReadyCheck>>;
  readonly services?: readonly Service[];
  /** For a channel: how it is reached, for the start-up log line (e.g. "slack (socket mode)"). */
  readonly channel?: string;
}
