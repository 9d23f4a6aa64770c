import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import KeyvSqlite from '@keyv/sqlite';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import Keyv, { type KeyvStoreAdapter } from 'keyv';
import { z } from 'zod';
import {
  addCalendarMonth,
  newRequestSchema,
  REQUEST_STATUSES,
  type NewRequest,
  type RequestState,
  type RequestStatus,
} from '../contract.js';
import { ErrorCode, type HttpErrorCode, ThunderError } from '../../core/errors.js';

/**
 * A stand-in for the company's request API (docs/request-api.openapi.yaml), kept in a local SQLite
 * file. Good enough to run Thunder with no company system and to test the client against.
 */

const stored = z.object({
  id: z.string(),
  type: newRequestSchema.shape.type,
  status: z.enum(REQUEST_STATUSES),
  receivedAt: z.string(),
  dueAt: z.string(),
  updatedAt: z.string(),
  request: newRequestSchema,
});
type Stored = z.infer<typeof stored>;
const idem = z.object({ hash: z.string(), id: z.string() });

export interface StandinOptions {
  /** SQLite file; the directory is created. */
  file: string;
  /** When set, requests must carry `Authorization: Bearer <token>`. */
  token?: string | undefined;
}

export interface Standin {
  app: Hono;
  /** POSTs seen per Idempotency-Key (replays included), since this instance started. */
  readonly posts: Map<string, number>;
  /** Every stored request. */
  list(): Promise<Stored[]>;
  /** What staff would do in the company's system. */
  setStatus(id: string, status: RequestStatus): Promise<void>;
  close(): Promise<void>;
}

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function newId(at: Date): string {
  const date = at.toISOString().slice(2, 10).replaceAll('-', '');
  const tail = Array.from({ length: 6 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
  return `KW-${date}-${tail}`;
}

function problem(c: Context, status: 400 | 401 | 404 | 413 | 415 | 422, code: HttpErrorCode, message: string) {
  return c.json({ error: { code, message } }, status);
}

function sameToken(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function view(r: Stored): RequestState {
  return { id: r.id, type: r.type, status: r.status, dueAt: r.dueAt, updatedAt: r.updatedAt };
}

export function createStandin(opts: StandinOptions): Standin {
  mkdirSync(dirname(opts.file), { recursive: true });
  const adapter = () =>
    new KeyvSqlite({ uri: `sqlite://${opts.file}`, table: 'requests', busyTimeout: 5000 }) as unknown as KeyvStoreAdapter;
  const requests = new Keyv<Stored>({ store: adapter(), namespace: 'request' });
  const keys = new Keyv<z.infer<typeof idem>>({ store: adapter(), namespace: 'idem' });
  const posts = new Map<string, number>();
  /** One POST per key at a time, so a replay racing the original sees its result. */
  const locks = new Map<string, Promise<unknown>>();

  const app = new Hono();
  app.use('/v1/*', async (c, next) => {
    if (!opts.token) return next();
    const auth = c.req.header('authorization') ?? '';
    const given = auth.startsWith('Bearer ') ? auth.slice(7) : '';
    if (!given || !sameToken(given, opts.token)) {
      c.header('WWW-Authenticate', 'Bearer');
      return problem(c, 401, 'unauthorized', 'A valid bearer token is required.');
    }
    return next();
  });

  app.post(
    '/v1/requests',
    bodyLimit({ maxSize: 64 * 1024, onError: (c) => problem(c, 413, 'payload_too_large', 'The body is over 64 KiB.') }),
    async (c) => {
      const key = c.req.header('idempotency-key') ?? '';
      if (!/^[A-Za-z0-9_-]{8,255}$/.test(key))
        return problem(c, 400, 'missing_idempotency_key', 'Idempotency-Key header (8-255 of A-Z a-z 0-9 _ -) is required.');
      if (!(c.req.header('content-type') ?? '').includes('application/json'))
        return problem(c, 415, 'unsupported_media_type', 'Send application/json.');
      posts.set(key, (posts.get(key) ?? 0) + 1);
      let body: unknown;
      try {
        body = await c.req.json();
      } catch {
        return problem(c, 400, 'invalid_json', 'The body is not valid JSON.');
      }
      const parsed = newRequestSchema.safeParse(body);
      if (!parsed.success) {
        return problem(c, 400, 'validation_failed', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
      }
      const hash = createHash('sha256').update(JSON.stringify(parsed.data)).digest('hex');
      const run = (locks.get(key) ?? Promise.resolve()).then(() => file(key, hash, parsed.data));
      const settled = run.catch(() => undefined);
      locks.set(key, settled);
      // the last POST of a key drops its lock, so the map does not grow with every request
      void settled.then(() => locks.get(key) === settled && locks.delete(key));
      const result = await run;
      if (result === 'reuse') return problem(c, 422, 'idempotency_key_reuse', 'This Idempotency-Key was used with a different request.');
      c.header('Location', `/v1/requests/${result.record.id}`);
      return c.json({ id: result.record.id, status: result.record.status, dueAt: result.record.dueAt }, result.replay ? 200 : 201);
    },
  );

  async function file(key: string, hash: string, request: NewRequest): Promise<'reuse' | { record: Stored; replay: boolean }> {
    const seen = idem.safeParse(await keys.get(key));
    if (seen.success) {
      if (seen.data.hash !== hash) return 'reuse';
      const record = stored.parse(await requests.get(seen.data.id));
      return { record, replay: true };
    }
    // The customer handed the request to the company's own bot at submittedAt: that is its receipt.
    const receivedAt = new Date(request.submittedAt);
    const now = new Date().toISOString();
    const record: Stored = {
      id: newId(receivedAt),
      type: request.type,
      status: 'received',
      receivedAt: receivedAt.toISOString(),
      dueAt: addCalendarMonth(receivedAt).toISOString(),
      updatedAt: now,
      request,
    };
    if (!(await requests.set(record.id, record))) throw new ThunderError(ErrorCode.StoreFailed, 'could not store the request');
    if (!(await keys.set(key, { hash, id: record.id })))
      throw new ThunderError(ErrorCode.StoreFailed, 'could not store the idempotency key');
    return { record, replay: false };
  }

  app.get('/v1/requests/:id', async (c) => {
    const record = stored.safeParse(await requests.get(c.req.param('id')));
    if (!record.success) return problem(c, 404, 'not_found', 'No request with this id.');
    return c.json(view(record.data));
  });

  app.onError((_err, c) => c.json({ error: { code: 'internal', message: 'Internal error.' } }, 500));

  return {
    app,
    posts,
    async list() {
      const all: Stored[] = [];
      for await (const [, value] of requests.iterator?.(undefined) ?? []) {
        const r = stored.safeParse(value);
        if (r.success) all.push(r.data);
      }
      return all;
    },
    async setStatus(id, status) {
      const record = stored.parse(await requests.get(id));
      await requests.set(id, { ...record, status, updatedAt: new Date().toISOString() });
    },
    async close() {
      await Promise.all([requests.disconnect(), keys.disconnect()]);
    },
  };
}

export interface RunningStandin extends Standin {
  url: string;
}

/** Serves the stand-in on a loopback port (0 = any free port). */
export async function startStandin(opts: StandinOptions & { host?: string; port?: number }): Promise<RunningStandin> {
  const standin = createStandin(opts);
  const host = opts.host ?? '127.0.0.1';
  const { server, port } = await new Promise<{ server: ServerType; port: number }>((done) => {
    const s = serve({ fetch: standin.app.fetch, hostname: host, port: opts.port ?? 0 }, (info) => done({ server: s, port: info.port }));
  });
  return {
    ...standin,
    url: `http://${host}:${port}`,
    async close() {
      await new Promise<void>((done) => server.close(() => done()));
      await standin.close();
    },
  };
}
