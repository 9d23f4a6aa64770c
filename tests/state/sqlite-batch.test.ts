import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Store } from '../../src/state/store.js';

// The SQLite backend gathers concurrent reads and non-durable writes into shared statements; each
// caller must still get exactly what it would get one call at a time.
describe('SQLite store under many concurrent calls', () => {
  let dir: string;
  let store: Store;
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const open = () => {
    dir = mkdtempSync(join(tmpdir(), 'thunder-batch-'));
    store = new Store({ dataDir: dir });
    return store.kv<{ n: number }>('s', undefined, { durable: false });
  };

  it('answers each read with its own key, also when a batch holds a key twice or a missing one', async () => {
    const kv = open();
    await Promise.all(Array.from({ length: 300 }, (_, n) => kv.set(`k${n}`, { n })));
    const keys = Array.from({ length: 400 }, (_, i) => `k${i % 350}`);
    const values = await Promise.all(keys.map((k) => kv.get(k)));
    expect(values).toEqual(keys.map((_, i) => (i % 350 < 300 ? { n: i % 350 } : undefined)));
  });

  it('keeps the later of two writes of one key sent together, and every other write', async () => {
    const kv = open();
    await Promise.all([
      ...Array.from({ length: 100 }, (_, n) => kv.set(`k${n}`, { n })),
      kv.set('same', { n: 1 }),
      kv.set('same', { n: 2 }),
    ]);
    expect(await kv.get('same')).toEqual({ n: 2 });
    expect(await Promise.all(Array.from({ length: 100 }, (_, n) => kv.get(`k${n}`)))).toEqual(
      Array.from({ length: 100 }, (_, n) => ({ n })),
    );
  });

  it('does not return a key past its TTL from a shared read', async () => {
    const kv = open();
    // A TTL already over when written: expired without waiting.
    await Promise.all([kv.set('short', { n: 1 }, -1000), kv.set('long', { n: 2 }, 60_000)]);
    expect(await Promise.all([kv.get('short'), kv.get('long')])).toEqual([undefined, { n: 2 }]);
  });
});
