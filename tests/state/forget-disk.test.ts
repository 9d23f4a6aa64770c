import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnThunder } from '../ops/spawn.js';
import { until } from '../helpers/wait.js';
import { FaultApi } from '../requests/fault-api.js';
import { confirm, inbox, newSession, send, toSummary } from './web-driver.js';

/**
 * `grep -a` over every file in DATA_DIR after /forget and a clean stop: none of the customer's
 * strings. The request API keeps the company's copy: a separate process, or the embedded stand-in's
 * directory beside DATA_DIR.
 */

let dir: string;
let api: FaultApi;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'thunder-forget-disk-'));
  api = await FaultApi.start(join(dir, 'api.sqlite'));
});
afterAll(async () => {
  await api?.close();
  rmSync(dir, { recursive: true, force: true });
});

function files(root: string): string[] {
  return readdirSync(root, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(root, e.name)) : [join(root, e.name)]));
}

/** Files a request through the web chat, then /forget and a clean stop; returns what the grep found before and after. */
async function forgetAndStop(dataDir: string, env: Record<string, string>, filed: (url: string, sid: string) => Promise<unknown>) {
  const t = await spawnThunder({ ...env, DATA_DIR: dataDir, RATE_LIMIT_PER_MINUTE: '10000' });
  try {
    const name = 'Gatis Kviesītis';
    const details = 'Dzēsiet visu par skaitītāju ZXQ-778899 Kalnciema ielā';
    const question = 'Vai jūs glabājat manu tālruni Plūmju ielā sešpadsmit?';
    const sid = await newSession(t.url);
    await send(t.url, sid, { text: question });
    await toSummary(t.url, sid, name, details);
    expect((await confirm(t.url, sid))[0]?.text).toMatch(/recorded|saglabāts/);
    await filed(t.url, sid);
    const needles = [name, 'Kviesītis', 'gatis@example.lv', 'ZXQ-778899', 'Kalnciema', 'Plūmju', question];
    const found = () =>
      files(dataDir).flatMap((f) => needles.filter((n) => readFileSync(f).includes(Buffer.from(n))).map((n) => `${n} in ${f}`));
    const before = found();
    await send(t.url, sid, { text: '/forget' });
    await send(t.url, sid, { button: 'forget:yes' });
    t.kill('SIGTERM');
    expect(await t.exited).toBe(0);
    return { before, after: found() };
  } finally {
    await t.cleanup();
  }
}

function expectPrivateFiles(dataDir: string): void {
  const all = files(dataDir);
  expect(all.length).toBeGreaterThan(0);
  for (const file of all) expect(statSync(file).mode & 0o777, file).toBe(0o600);
  expect(statSync(dataDir).mode & 0o777).toBe(0o700);
}

describe('/forget on disk (SQLite)', () => {
  it('leaves none of the customer’s strings in any file of DATA_DIR; files 0600, the directory 0700', async () => {
    const dataDir = join(dir, 'data');
    const { before, after } = await forgetAndStop(dataDir, api.env(), async (url, sid) => {
      const filed = await until(
        async () => (await api.standin.list()).find((r) => r.request.subject.name === 'Gatis Kviesītis'),
        20_000,
        'the request filed',
      );
      await until(async () => (await inbox(url, sid)).some((m) => m.includes(filed.id)), 20_000, 'the reference');
    });
    // The grep finds what is there: before /forget the conversation is on disk.
    expect(before).not.toEqual([]);
    expect(after).toEqual([]);
    expectPrivateFiles(dataDir);
  }, 90_000);

  it('with the embedded stand-in request API (npm start’s default) too: the company’s copy lives beside DATA_DIR', async () => {
    const dataDir = join(dir, 'data-embedded');
    const { before, after } = await forgetAndStop(dataDir, {}, (url, sid) =>
      until(async () => (await inbox(url, sid)).some((m) => /KW-\d{6}-[0-9A-Z]{6}/.test(m)), 20_000, 'the reference'),
    );
    expect(before).not.toEqual([]);
    expect(after).toEqual([]);
    expectPrivateFiles(dataDir);
    expect(files(`${dataDir}-request-api`).some((f) => readFileSync(f).includes(Buffer.from('Kviesītis')))).toBe(true);
  }, 90_000);
});
