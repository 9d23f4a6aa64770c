import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../src/paths.js';
import { FakeTelegram } from '../helpers/fake-telegram.js';
import { htmlText, tr } from '../helpers/locales.js';

let fake: FakeTelegram;
let dir: string;
beforeAll(async () => {
  fake = await FakeTelegram.start();
  dir = mkdtempSync(join(tmpdir(), 'thunder-main-tg-'));
});
afterAll(async () => {
  await fake?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('npm start with TELEGRAM_BOT_TOKEN', () => {
  it('runs the Telegram bot, names it in the start-up line, and stops cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/main.ts')], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...fake.env(), PORT: '0', DATA_DIR: dir, REQUEST_API_PORT: '0', WEB_CHAT: 'false' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const line = await new Promise<{ channels: string[]; msg: string }>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no start-up line')), 15_000);
        createInterface({ input: child.stdout }).on('line', (l) => {
          if (!l.includes('Thunder is running')) return;
          clearTimeout(timer);
          resolve(JSON.parse(l) as { channels: string[]; msg: string });
        });
      });
      expect(line.channels).toEqual(['telegram']);
      expect(line.msg).toContain('telegram');
      fake.sendCommand(9001, '/start', { lang: 'lv' });
      const [m] = await fake.waitForMessages(9001, 1, 10_000);
      expect(htmlText(m!.text)).toContain(tr('lv', 'conversation:start'));
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
