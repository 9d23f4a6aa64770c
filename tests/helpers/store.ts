import sqlite3 from 'sqlite3';
import { createClient } from '@redis/client';
import { join } from 'node:path';

/** Every raw key/value row of the embedded SQLite store whose key or value contains `needle`. */
export function sqliteRowsWith(dataDir: string, needle: string): Promise<{ key: string; value: string; expires: number | null }[]> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(join(dataDir, 'state.sqlite'), sqlite3.OPEN_READONLY, (err) => {
      if (err) return reject(err);
      db.all(
        `SELECT key, value, expires FROM thunder WHERE instr(key, ?) > 0 OR instr(value, ?) > 0`,
        [needle, needle],
        (e, rows: { key: string; value: string; expires: number | null }[]) => {
          db.close();
          if (e) reject(e);
          else resolve(rows);
        },
      );
    });
  });
}

/** Every Redis key under `prefix` whose name or string value contains `needle`. */
export async function redisKeysWith(url: string, prefix: string, needle: string): Promise<string[]> {
  const client = createClient({ url });
  await client.connect();
  try {
    const found: string[] = [];
    for await (const batch of client.scanIterator({ MATCH: `*${prefix}*`, COUNT: 500 })) {
      for (const key of [batch].flat()) {
        const type = await client.type(key);
        const value = type === 'string' ? ((await client.get(key)) ?? '') : '';
        if (key.includes(needle) || value.includes(needle)) found.push(key);
      }
    }
    return found;
  } finally {
    await client.quit();
  }
}
