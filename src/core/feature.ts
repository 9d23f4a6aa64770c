import type { Hono } from 'hono';
import type { Core, ForgetHook, Middleware } from './bot.js';
import type { SessionShape } from './session.js';
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
  /** The zod shape of the fields this feature keeps in the session (declared in SessionFields). */
  readonly session?: SessionShape;
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

/**
 * Plugs features into the core and the HTTP server, in the given order (the middleware order);
 * returns their services in start order and the channels that are on.
 */
export function mountFeatures(core: Core, http: Hono, features: readonly Feature[]): { services: Service[]; channels: string[] } {
  const services: Service[] = [];
  const channels: string[] = [];
  for (const feature of features) {
    if (feature.session) core.addSessionFields(feature.session);
    core.use(...(feature.middleware ?? []));
    for (const [channel, sender] of Object.entries(feature.senders ?? {})) core.registerSender(channel as Channel, sender);
    if (feature.onForget) core.onForget(feature.onForget);
    for (const { path, routes } of feature.routes ?? []) http.route(path, routes);
    services.push(...(feature.services ?? []));
    if (feature.channel) channels.push(feature.channel);
  }
  return { services, channels };
}
