import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, configSchema, loadConfig } from '../../src/config/index.js';
import { ROOT } from '../../src/paths.js';
import { readFileSync } from 'node:fs';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('config', () => {
  it('runs with no variables at all: web chat only, SQLite under ./data', () => {
    const cfg = loadConfig({});
    expect(cfg).toMatchObject({ PORT: 3000, DATA_DIR: './data', STATE_TTL_DAYS: 30, TELEGRAM_API_ROOT: 'https://api.telegram.org' });
    expect(cfg.TELEGRAM_BOT_TOKEN).toBeUndefined();
    expect(cfg.REDIS_URL).toBeUndefined();
  });

  it('names every bad variable in one error', () => {
    const bad = {
      PORT: 'eighty',
      STATE_TTL_DAYS: '-1',
      DEFAULT_LANG: 'de',
      WEB_CHAT: 'maybe',
      REDIS_URL: 'http://127.0.0.1:6379',
      TELEGRAM_BOT_TOKEN: 'not-a-token',
      TELEGRAM_API_ROOT: 'nope',
      TELEGRAM_WEBHOOK_URL: 'http://bot.example.com/hook',
      LOG_LEVEL: 'loud',
    };
    const problems = problemsOf(bad);
    for (const name of [...Object.keys(bad), 'TELEGRAM_WEBHOOK_SECRET']) {
      expect(
        problems.some((p) => p.startsWith(`${name}:`)),
        `${name} in ${problems.join(' | ')}`,
      ).toBe(true);
    }
    expect(problems.join('\n')).not.toContain('not-a-token');
  });

  it('requires the webhook secret and a token with a webhook URL, and strips a trailing slash of the API root', () => {
    expect(problemsOf({ TELEGRAM_WEBHOOK_URL: 'https://bot.example.com/hook' }).map((p) => p.split(':')[0])).toEqual([
      'TELEGRAM_WEBHOOK_SECRET',
      'TELEGRAM_BOT_TOKEN',
    ]);
    expect(loadConfig({ TELEGRAM_API_ROOT: 'http://127.0.0.1:9/' }).TELEGRAM_API_ROOT).toBe('http://127.0.0.1:9');
    expect(loadConfig({ PORT: '' }).PORT).toBe(3000);
  });

  it('the README configuration table lists every variable, and nothing else', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Configuration'));
    const table = section.slice(0, section.indexOf('\n## ', 5) > 0 ? section.indexOf('\n## ', 5) : undefined);
    const documented = [...table.matchAll(/^\| `([A-Z0-9_]+)` \|/gm)].map((m) => m[1]).sort();
    expect(documented).toEqual(Object.keys(configSchema.shape).sort());
  });
});

function runMain(env: Record<string, string>, until: RegExp, timeout = 15_000): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/main.ts')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (until.test(out)) child.kill('SIGTERM');
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

describe('main', () => {
  it('refuses to start on bad config, naming the variables, with exit code 78', async () => {
    const { code, out } = await runMain({ PORT: 'x', TELEGRAM_BOT_TOKEN: 'bad' }, /$^/);
    expect(code).toBe(78);
    expect(out).toMatch(/PORT:/);
    expect(out).toMatch(/TELEGRAM_BOT_TOKEN:/);
  });

  it('without tokens says in one log line which channels are on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'thunder-data-'));
    try {
      const { out } = await runMain({ PORT: '0', DATA_DIR: dir, REQUEST_API_PORT: '0' }, /Thunder is running/);
      const line = out.split('\n').find((l) => l.includes('Thunder is running'))!;
      const log = JSON.parse(line) as { channels: string[]; msg: string };
      expect(log.channels).toContain('web');
      expect(log.channels).not.toContain('telegram');
      expect(log.msg).toContain('web');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
