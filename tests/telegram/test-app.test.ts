import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startTestApp } from '../helpers/app.js';

describe('startTestApp', () => {
  it('builds the app on a temp data dir with its own store prefix and cleans up', async () => {
    const a = await startTestApp();
    const b = await startTestApp();
    expect(a.storePrefix).not.toBe(b.storePrefix);
    expect(a.config.PORT).toBe(0);
    expect(existsSync(a.dataDir)).toBe(true);
    expect(await a.app.store.ping()).toBe(true);
    await a.teardown();
    await b.teardown();
    expect(existsSync(a.dataDir)).toBe(false);
  });
});
