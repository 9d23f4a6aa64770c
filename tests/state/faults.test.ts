import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawnThunder, type Instance } from '../ops/spawn.js';
import { REDIS_URL, uniquePrefix } from '../helpers/app.js';
import { until } from '../helpers/wait.js';
import { FaultApi } from '../requests/fault-api.js';
import { confirm, inbox, newSession, toSummary } from './web-driver.js';

/**
 * Fault tests on real processes (src/main.ts via tsx): instances killed with SIGKILL and SIGTERM,
 * Confirm pressed again after a crash and at once on two instances, Redis restarted with and
 * without persistence. Timeouts are generous: every instance is a fresh tsx process.
 */

let dir: string;
let api: FaultApi;
const instances: Instance[] = [];
const redises: ChildProcess[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'thunder-faults-'));
  api = await FaultApi.start(join(dir, 'api.sqlite'));
});
let apiDown = false;
function apiOff(): Promise<void> {
  apiDown = true;
  return api.down();
}
function apiOn(): Promise<void> {
  apiDown = false;
  return api.up();
}
afterEach(async () => {
  if (apiDown) await apiOn();
  api.plan.length = 0;
  await Promise.all(instances.splice(0).map((i) => i.cleanup()));
  for (const r of redises.splice(0)) r.kill('SIGKILL');
});
afterAll(async () => {
  await api?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Short leases and scans so a takeover shows within seconds. */
const FAST = {
  JOB_LEASE_MS: '1500',
  JOB_SCAN_MS: '200',
  REQUEST_RETRY_BASE_MS: '100',
  REQUEST_RETRY_MAX_MS: '400',
  RATE_LIMIT_PER_MINUTE: '10000',
};

async function start(env: Record<string, string>): Promise<Instance> {
  const i = await spawnThunder({ ...api.env(), ...FAST, ...env });
  instances.push(i);
  return i;
}

const filedAs = async (name: string) => (await api.standin.list()).filter((r) => r.request.subject.name === name);
const name = (label: string, i = 0) => `Ilze ${String.fromCharCode(65 + (i % 26))}${label}`;

describe('two instances on one Redis: the survivor delivers what a dead one recorded', () => {
  for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
    it(`${signal} while the request API is down`, async () => {
      const env = { REDIS_URL, STORE_PREFIX: uniquePrefix('takeover') };
      const [a, b] = [await start(env), await start(env)];
      await apiOff();
      const who = name(signal === 'SIGKILL' ? 'ozola' : 'liepa');
      const sid = await newSession(a.url);
      await toSummary(a.url, sid, who);
      const [recorded] = await confirm(a.url, sid);
      expect(recorded?.text).toMatch(/recorded/);
      a.kill(signal);
      await a.exited;
      await apiOn();
      const [filed] = await until(async () => ((await filedAs(who)).length ? filedAs(who) : undefined), 20_000, 'the survivor to deliver');
      const told = await until(
        async () => (await inbox(b.url, sid)).find((t) => t.includes(filed!.id)),
        20_000,
        'the customer to hear the reference',
      );
      expect(told).toContain(filed!.id);
      expect(await filedAs(who)).toHaveLength(1);
    }, 90_000);
  }
});

describe('Confirm is idempotent across crashes and instances', () => {
  it('pressed again after a SIGKILL (SQLite): one request and one reference per customer', async () => {
    const dataDir = mkdtempSync(join(dir, 'sqlite-'));
    const a = await start({ DATA_DIR: dataDir });
    const users = await Promise.all(
      Array.from({ length: 12 }, async (_, i) => {
        const sid = await newSession(a.url);
        await toSummary(a.url, sid, name('kalna', i));
        return { sid, who: name('kalna', i), answered: false };
      }),
    );
    // Everyone presses Confirm at once; the process dies at the first "recorded".
    let first: () => void = () => undefined;
    const firstAnswer = new Promise<void>((r) => (first = r));
    const pressed = users.map((u) =>
      confirm(a.url, u.sid).then(
        () => {
          u.answered = true;
          first();
        },
        () => undefined,
      ),
    );
    await firstAnswer;
    a.kill('SIGKILL');
    await a.exited;
    await Promise.all(pressed);
    const b = await start({ DATA_DIR: dataDir });
    // The page still shows the button: everyone presses it again, some twice at once.
    await Promise.all(users.flatMap((u) => [confirm(b.url, u.sid), ...(u.answered ? [] : [confirm(b.url, u.sid)])]));
    for (const u of users) {
      const [filed] = await until(async () => ((await filedAs(u.who)).length ? filedAs(u.who) : undefined), 20_000, `${u.who} filed`);
      await until(async () => (await inbox(b.url, u.sid)).some((t) => t.includes(filed!.id)), 20_000, `${u.who} told`);
    }
    for (const u of users) {
      expect(await filedAs(u.who)).toHaveLength(1);
      const refs = (await inbox(b.url, u.sid)).filter((t) => /KW-/.test(t));
      expect(refs).toHaveLength(1);
    }
  }, 120_000);

  it('pressed at once on two instances (Redis): one request, one reference', async () => {
    const env = { REDIS_URL, STORE_PREFIX: uniquePrefix('twice') };
    const [a, b] = [await start(env), await start(env)];
    const users = await Promise.all(
      Array.from({ length: 8 }, async (_, i) => {
        const sid = await newSession(a.url);
        await toSummary(a.url, sid, name('berza', i));
        return { sid, who: name('berza', i) };
      }),
    );
    const replies = await Promise.all(users.flatMap((u) => [confirm(a.url, u.sid), confirm(b.url, u.sid)]));
    for (const r of replies) expect(r[0]?.text).toMatch(/recorded|no longer open/);
    for (const u of users) {
      const [filed] = await until(async () => ((await filedAs(u.who)).length ? filedAs(u.who) : undefined), 20_000, `${u.who} filed`);
      await until(async () => (await inbox(b.url, u.sid)).some((t) => t.includes(filed!.id)), 20_000, `${u.who} told`);
    }
    for (const u of users) {
      expect(await filedAs(u.who)).toHaveLength(1);
      expect((await inbox(a.url, u.sid)).filter((t) => /KW-/.test(t))).toHaveLength(1);
    }
  }, 120_000);
});

/** A port nothing listens on: taken from the OS, then released. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

/** Our own redis-server (never the shared one); resolves once it answers. */
async function redisServer(port: number, args: string[]): Promise<ChildProcess> {
  const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', ...args], { stdio: 'ignore' });
  redises.push(server);
  await until(() => listening(port), 10_000, 'redis-server to listen');
  return server;
}

function listening(port: number): Promise<boolean> {
  return new Promise((done) => {
    const sock = connect(port, '127.0.0.1');
    sock.once('connect', () => {
      sock.destroy();
      done(true);
    });
    sock.once('error', () => done(false));
  });
}

async function restartRedis(server: ChildProcess, port: number, args: string[]): Promise<ChildProcess> {
  const exited = new Promise((r) => server.once('exit', r));
  server.kill('SIGKILL');
  await exited;
  return redisServer(port, args);
}

describe('Redis that can lose data is named; with AOF nothing is lost', () => {
  it('without persistence: a warning in the log, in /readyz and in /metrics', async () => {
    const port = await freePort();
    await redisServer(port, ['--save', '', '--appendonly', 'no']);
    const t = await start({ REDIS_URL: `redis://127.0.0.1:${port}`, STORE_PREFIX: uniquePrefix('nopersist') });
    const warned = t.logs.find((l) => l.level === 40 && l.risk === 'noPersistence');
    expect(warned?.msg).toMatch(/restart loses recorded requests/);
    const ready = (await (await fetch(`${t.url}/readyz`)).json()) as { warnings?: string[] };
    expect(ready.warnings?.join(' ')).toMatch(/no AOF, no RDB/);
    expect(await (await fetch(`${t.url}/metrics`)).text()).toContain('thunder_state_durability_risk{kind="noPersistence"} 1');
  }, 60_000);

  it('with AOF: no warning, and requests recorded before a Redis crash are all delivered', async () => {
    const port = await freePort();
    const aof = ['--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', mkdtempSync(join(dir, 'aof-'))];
    let server = await redisServer(port, aof);
    const t = await start({ REDIS_URL: `redis://127.0.0.1:${port}`, STORE_PREFIX: uniquePrefix('aof') });
    expect(t.logs.filter((l) => typeof l.risk === 'string')).toEqual([]);
    expect(((await (await fetch(`${t.url}/readyz`)).json()) as { warnings?: string[] }).warnings).toBeUndefined();
    await apiOff();
    const users = Array.from({ length: 4 }, (_, i) => name('aofa', i));
    const sids: string[] = [];
    for (const who of users) {
      const sid = await newSession(t.url);
      await toSummary(t.url, sid, who);
      expect((await confirm(t.url, sid))[0]?.text).toMatch(/recorded/);
      sids.push(sid);
    }
    server = await restartRedis(server, port, aof);
    await apiOn();
    for (const who of users) await until(async () => (await filedAs(who)).length === 1, 30_000, `${who} delivered after the Redis restart`);
    for (const who of users) expect(await filedAs(who)).toHaveLength(1);
  }, 90_000);
});
