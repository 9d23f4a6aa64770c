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
 * strings. The request API is a separate process here (the company keeps its copy there).
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

describe('/forget on disk (SQLite)', () => {
  it('leaves none of the customer’s strings in any file of DATA_DIR; files 0600, the directory 0700', async () => {
    const dataDir = join(dir, 'data');
    const t = await spawnThunder({ ...api.env(), DATA_DIR: dataDir, RATE_LIMIT_PER_MINUTE: '10000' });
    try {
      const name = 'Gatis Kviesītis';
      const details = 'Dzēsiet visu par skaitītāju ZXQ-778899 Kalnciema ielā';
      const question = 'Vai jūs glabājat manu tālruni Plūmju ielā sešpadsmit?';
      const sid = await newSession(t.url);
      await send(t.url, sid, { text: question });
      await toSummary(t.url, sid, name, details);
      expect((await confirm(t.url, sid))[0]?.text).toMatch(/recorded|saglabāts/);
      const filed = await until(async () => (await api.standin.list()).find((r) => r.request.subject.name === name), 20_000, 'the request filed');
      await until(async () => (await inbox(t.url, sid)).some((m) => m.includes(filed.id)), 20_000, 'the reference');
      const needles = [name, 'Kviesītis', 'gatis@example.lv', 'ZXQ-778899', 'Kalnciema', 'Plūmju', question];
      const found = () => files(dataDir).flatMap((f) => needles.filter((n) => readFileSync(f).includes(Buffer.from(n))).map((n) => `${n} in ${f}`));
      // The grep finds what is there: before /forget the conversation is on disk.
      expect(found()).not.toEqual([]);
      await send(t.url, sid, { text: '/forget' });
      await send(t.url, sid, { button: 'forget:yes' });
      t.kill('SIGTERM');
      expect(await t.exited).toBe(0);

      expect(found()).toEqual([]);
      const all = files(dataDir);
      expect(all.length).toBeGreaterThan(0);
      for (const file of all) expect(statSync(file).mode & 0o777, file).toBe(0o600);
      expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    } finally {
      await t.cleanup();
    }
  }, 90_000);
});
