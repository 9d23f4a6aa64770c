import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { until } from './drive.js';
import { FaultApi } from './fault-api.js';

/**
 * SIGKILL between confirmation and delivery: after a restart the request arrives exactly once.
 * Generous timeouts: each bot is a fresh tsx process, slow to start on a busy CI machine.
 */

let dir: string;
let api: FaultApi;
const children: ChildProcess[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'thunder-rq-crash-'));
  api = await FaultApi.start(join(dir, 'api.sqlite'));
});

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

afterAll(async () => {
  await api?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Bot {
  child: ChildProcess;
  lines: string[];
  line(prefix: string, timeout?: number): Promise<string>;
}

function bot(mode: 'file' | 'resume', dataDir: string): Bot {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...api.env(),
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATA_DIR: dataDir,
    STORE_PREFIX: 'crash',
    WEB_CHAT: 'false',
    REQUEST_API_TIMEOUT_MS: '2000',
    REQUEST_RETRY_BASE_MS: '50',
    REQUEST_RETRY_MAX_MS: '200',
  };
  for (const k of ['REDIS_URL', 'TELEGRAM_BOT_TOKEN', 'SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN']) delete env[k];
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'child-bot.ts'), mode], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const lines: string[] = [];
  let buffer = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop()!;
    lines.push(...parts);
  });
  return {
    child,
    lines,
    line: (prefix, timeout = 40_000) => until(() => lines.find((l) => l.startsWith(prefix)), timeout, `"${prefix}" from the bot`),
  };
}

async function kill(b: Bot): Promise<void> {
  const exited = new Promise((done) => b.child.once('exit', done));
  b.child.kill('SIGKILL');
  await exited;
}

describe('crash between confirmation and delivery', () => {
  it('API down while the bot is killed: the restarted bot delivers it once', async () => {
    const dataDir = join(dir, 'bot-a');
    await api.down();
    const first = bot('file', dataDir);
    const id = (await first.line('CONFIRMED')).split(' ')[1]!;
    await first.line('RETRY');
    await kill(first);
    await api.up();

    const second = bot('resume', dataDir);
    const accepted = await second.line(`ACCEPTED ${id}`);
    const ref = accepted.split(' ')[2]!;
    await second.line('PUSHED chat-crash-user');
    const filed = (await api.standin.list()).filter((r) => r.id === ref);
    expect(filed).toHaveLength(1);
    expect([...api.standin.posts.values()].reduce((a, b) => a + b, 0)).toBe(1);
  }, 90_000);

  it('killed while the API is filing it: the retry gets the same request back, filed once', async () => {
    const dataDir = join(dir, 'bot-b');
    const before = (await api.standin.list()).length;
    api.plan.push({ delayMs: 15_000 });
    const first = bot('file', dataDir);
    await first.line('CONFIRMED');
    await until(async () => (await api.standin.list()).length === before + 1, 40_000, 'the API to file it');
    await kill(first);
    expect(first.lines.some((l) => l.startsWith('ACCEPTED'))).toBe(false);

    const second = bot('resume', dataDir);
    const ref = (await second.line('ACCEPTED')).split(' ')[2]!;
    const all = await api.standin.list();
    expect(all).toHaveLength(before + 1);
    expect(all.map((r) => r.id)).toContain(ref);
    const [key] = [...api.standin.posts.entries()].filter(([, count]) => count === 2).map(([k]) => k);
    expect(key).toBeDefined();
  }, 90_000);
});
