import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { load as parse } from 'js-yaml';
import { RequestApiClient, parseRetryAfter } from '../../src/requests/client.js';
import { newRequestSchema, REQUEST_STATUSES, type NewRequest } from '../../src/requests/contract.js';
import { startStandin, type RunningStandin } from '../../src/requests/standin/server.js';
import { createLogger } from '../../src/log/logger.js';
import { ROOT } from '../../src/paths.js';

/** The stand-in request API over HTTP and the client against it: the contract both sides keep. */

const TOKEN = 'contract-test-token';
let dir: string;
let api: RunningStandin;
let client: RequestApiClient;

const request = (over: Partial<NewRequest> = {}): NewRequest => ({
  type: 'access',
  subject: { name: 'Jana Bērziņa', email: 'jana@example.lv' },
  language: 'lv',
  channel: 'web',
  channelRef: 'a'.repeat(64),
  submittedAt: '2027-01-31T10:00:00.000Z',
  ...over,
});

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'thunder-rq-api-'));
  api = await startStandin({ file: join(dir, 'api.sqlite'), token: TOKEN });
  client = new RequestApiClient({ url: api.url, token: TOKEN, timeoutMs: 2000, log: createLogger('silent') });
});

afterAll(async () => {
  await api?.close();
  rmSync(dir, { recursive: true, force: true });
});

const post = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${api.url}/v1/requests`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', 'idempotency-key': crypto.randomUUID(), ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('stand-in request API', () => {
  it('files a request: 201 with the reference, status and a due date one calendar month later', async () => {
    const res = await client.create(request(), 'key-0000000001');
    expect(res).toEqual({
      ok: true,
      value: { id: expect.stringMatching(/^KW-270131-[0-9A-Z]{6}$/), status: 'received', dueAt: '2027-02-28T10:00:00.000Z' },
    });
  });

  it('a replay with the same Idempotency-Key returns the same request (200) and files nothing new', async () => {
    const key = 'key-replay-000001';
    const first = await post(request(), { 'idempotency-key': key });
    const again = await post(request(), { 'idempotency-key': key });
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    const [a, b] = [await first.json(), await again.json()];
    expect(b).toEqual(a);
    expect((await api.list()).filter((r) => r.id === a.id)).toHaveLength(1);
    expect(api.posts.get(key)).toBe(2);
  });

  it('parallel replays of one key still file one request', async () => {
    const key = 'key-parallel-0001';
    const before = (await api.list()).length;
    const answers = await Promise.all(Array.from({ length: 8 }, () => post(request({ type: 'erasure' }), { 'idempotency-key': key })));
    const ids = new Set(await Promise.all(answers.map(async (r) => (await r.json()).id)));
    expect(ids.size).toBe(1);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
    expect((await api.list()).length).toBe(before + 1);
  });

  it('refuses a reused key with a different body (422), a missing key or bad body (400), no token (401)', async () => {
    const key = 'key-reuse-000001';
    await post(request(), { 'idempotency-key': key });
    const reuse = await post(request({ type: 'erasure' }), { 'idempotency-key': key });
    expect(reuse.status).toBe(422);
    expect(await reuse.json()).toMatchObject({ error: { code: 'idempotency_key_reuse' } });
    expect((await post(request(), { 'idempotency-key': '' })).status).toBe(400);
    const invalid = await post({ ...request(), subject: { name: 'Jana' } });
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({ error: { code: 'validation_failed' } });
    expect((await post('{not json')).status).toBe(400);
    expect((await post({ ...request(), details: 'x'.repeat(70_000) })).status).toBe(413);
    const noAuth = await fetch(`${api.url}/v1/requests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'key-noauth-00001' },
      body: JSON.stringify(request()),
    });
    expect(noAuth.status).toBe(401);
    expect(noAuth.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('GET returns the state, 404 for an unknown id', async () => {
    const created = await client.create(request({ type: 'portability' }), 'key-get-00000001');
    if (!created.ok) throw new Error('not created');
    await api.setStatus(created.value.id, 'in_progress');
    const got = await client.get(created.value.id);
    expect(got).toEqual({
      ok: true,
      value: {
        id: created.value.id,
        type: 'portability',
        status: 'in_progress',
        dueAt: created.value.dueAt,
        updatedAt: expect.any(String),
      },
    });
    expect(await client.get('KW-000000-NOPE00')).toMatchObject({ ok: false, kind: 'retryable', status: 404 });
  });

  it('the client classifies: wrong token retryable, validation permanent, nothing listening retryable', async () => {
    const wrong = new RequestApiClient({ url: api.url, token: 'wrong', timeoutMs: 2000, log: createLogger('silent') });
    expect(await wrong.create(request(), 'key-wrongtoken-1')).toMatchObject({ ok: false, kind: 'retryable', status: 401 });
    const bad = { ...request(), subject: { name: '', email: 'x@y.lv' } } as NewRequest;
    expect(await client.create(bad, 'key-bad-000000001')).toEqual({ ok: false, kind: 'permanent', status: 400, code: 'validation_failed' });
    const nowhere = new RequestApiClient({ url: 'http://127.0.0.1:1', timeoutMs: 2000, log: createLogger('silent') });
    expect(await nowhere.create(request(), 'key-nowhere-0001')).toMatchObject({ ok: false, kind: 'retryable', reason: 'network' });
  });

  it('Retry-After is read as seconds or as an HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(Date.UTC(2030, 0, 1, 0, 0, 10)).toUTCString(), Date.UTC(2030, 0, 1))).toBe(10_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});

describe('docs/request-api.openapi.yaml', () => {
  const doc: any = parse(readFileSync(join(ROOT, 'docs/request-api.openapi.yaml'), 'utf8'));

  it('is OpenAPI 3.1 with both operations, bearer auth and the Idempotency-Key header', () => {
    expect(doc.openapi).toBe('3.1.0');
    const post = doc.paths['/v1/requests'].post;
    expect(Object.keys(post.responses)).toEqual(expect.arrayContaining(['200', '201', '400', '401', '409', '422', '429', '500', '503']));
    expect(doc.components.parameters.IdempotencyKey).toMatchObject({ name: 'Idempotency-Key', in: 'header', required: true });
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.paths['/v1/requests/{id}'].get.responses['200']).toBeDefined();
  });

  it('lists the same statuses and request fields as the code', () => {
    expect(doc.components.schemas.Status.enum).toEqual([...REQUEST_STATUSES]);
    expect(Object.keys(doc.components.schemas.NewRequest.properties).sort()).toEqual(Object.keys(newRequestSchema.shape).sort());
  });
});
