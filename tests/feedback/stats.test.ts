import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeedbackStats } from '../../src/feedback/stats.js';
import { Store } from '../../src/state/store.js';

const DAY_MS = 24 * 60 * 60 * 1000;
let dir: string;
let store: Store;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'thunder-feedback-stats-'));
  store = new Store({ dataDir: dir });
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('feedback stats by entry (real SQLite, a given clock)', () => {
  it('sums the last days in the company time zone, most 👎 first, and leaves older days out', async () => {
    const stats = new FeedbackStats(store.kv('feedback-stats-a'), 'Europe/Riga');
    // 12:00 in Riga on 10 March 2027.
    const now = Date.UTC(2027, 2, 10, 10);
    await stats.count('retention', 'up', now);
    await stats.count('retention', 'down', now - 6 * DAY_MS);
    await stats.count('controller', 'down', now - 2 * DAY_MS);
    await stats.count('controller', 'down', now - 2 * DAY_MS);
    // A week ago is the eighth day: not shown.
    await stats.count('retention', 'down', now - 7 * DAY_MS);
    // 23:30 UTC on 3 March is already 4 March in Riga: the seventh day, shown.
    await stats.count('complaints', 'up', Date.UTC(2027, 2, 3, 23, 30));
    expect(await stats.byEntry(7, now)).toEqual([
      { entry: 'controller', up: 0, down: 2 },
      { entry: 'retention', up: 1, down: 1 },
      { entry: 'complaints', up: 1, down: 0 },
    ]);
    expect(await stats.byEntry(1, now)).toEqual([{ entry: 'retention', up: 1, down: 0 }]);
  });
});
