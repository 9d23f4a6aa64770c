import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { resolve } from 'node:path';
import sqlite3 from 'sqlite3';
import type { Backend, RawWrite, Scored } from './port.js';

type Param = string | number | null;

/** A prepared statement and how many calls it has in flight. */
interface Pooled {
  statement: sqlite3.Statement;
  busy: number;
}
/** As many as the libuv thread pool runs at once (4 by default). */
const STATEMENTS_PER_SQL = 4;

/** One connection, promisified; `serial` runs a callback with the connection to itself (transactions). */
class Conn {
  private tail: Promise<unknown> = Promise.resolve();
  private readonly ready: Promise<void>;
  /**
   * Each SQL text is prepared once and its statements reused: preparing costs more than running
   * these one-row statements (a third of the store's time per chat message, measured with
   * --cpu-prof). A sqlite3 Statement runs one call at a time and starts the next only when the
   * event loop has taken the last one's result, so one statement per SQL text made every session
   * read wait in line behind the others; a few per text run side by side.
   */
  private readonly statements = new Map<string, Pooled[]>();

  constructor(
    private readonly db: sqlite3.Database,
    pragmas: string[],
    after: Promise<unknown> = Promise.resolve(),
  ) {
    this.ready = pragmas.reduce<Promise<void>>(
      (p, sql) => p.then(() => this.exec(sql)),
      after.then(() => undefined),
    );
    // Callers see a failed set-up through their own calls; unobserved, it would end the process.
    this.ready.catch(() => undefined);
  }

  private exec(sql: string): Promise<void> {
    return new Promise((done, fail) => this.db.exec(sql, (err) => (err ? fail(err) : done())));
  }

  /** An idle statement of `sql`, a new one while there are fewer than STATEMENTS_PER_SQL, else the least busy. */
  private statement(sql: string): Pooled {
    let pool = this.statements.get(sql);
    if (!pool) {
      pool = [];
      this.statements.set(sql, pool);
    }
    let least: Pooled | undefined;
    for (const p of pool) {
      if (p.busy === 0) return p;
      if (!least || p.busy < least.busy) least = p;
    }
    if (least && pool.length >= STATEMENTS_PER_SQL) return least;
    const fresh = { statement: this.db.prepare(sql), busy: 0 };
    pool.push(fresh);
    return fresh;
  }

  /** A statement that failed may have failed to prepare: the next call prepares another. */
  private forget(sql: string, p: Pooled): void {
    const pool = this.statements.get(sql);
    const i = pool?.indexOf(p) ?? -1;
    if (i < 0) return;
    pool?.splice(i, 1);
    p.statement.finalize();
  }

  async all<R>(sql: string, params: Param[] = []): Promise<R[]> {
    await this.ready;
    const p = this.statement(sql);
    p.busy++;
    return new Promise((done, fail) =>
      p.statement.all(params, (err: Error | null, rows: unknown[]) => {
        p.busy--;
        if (!err) return done(rows as R[]);
        this.forget(sql, p);
        fail(err);
      }),
    );
  }

  async run(sql: string, params: Param[] = []): Promise<number> {
    await this.ready;
    const p = this.statement(sql);
    p.busy++;
    const forget = () => this.forget(sql, p);
    return new Promise((done, fail) =>
      p.statement.run(params, function (this: sqlite3.RunResult, err: Error | null) {
        p.busy--;
        if (!err) return done(this.changes);
        forget();
        fail(err);
      }),
    );
  }

  /** Runs `work` with no other statement of this process on the connection in between. */
  serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.tail.then(work, work);
    this.tail = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    const statements = [...this.statements.values()].flat();
    this.statements.clear();
    await Promise.all(statements.map((p) => new Promise<void>((done) => p.statement.finalize(() => done()))));
    await new Promise<void>((done) => this.db.close(() => done()));
  }
}

/**
 * Gathers the calls that arrive while batches are in flight and runs them together: under load,
 * many visitors' session reads (or writes) share one statement and one trip through the thread
 * pool, which cost more than the SQL itself (--cpu-prof). A call that finds a free slot goes at once.
 */
class Batcher<T, R> {
  private waiting: { item: T; done(r: R): void; fail(err: unknown): void }[] = [];
  private running = 0;

  constructor(
    private readonly max: number,
    private readonly work: (items: T[]) => Promise<R[]>,
  ) {}

  push(item: T): Promise<R> {
    return new Promise((done, fail) => {
      this.waiting.push({ item, done, fail });
      if (this.running < IN_FLIGHT) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running++;
    while (this.waiting.length) {
      const batch = this.waiting.splice(0, this.max);
      try {
        const results = await this.work(batch.map((b) => b.item));
        for (const [i, b] of batch.entries()) b.done(results[i] as R);
      } catch (err) {
        for (const b of batch) b.fail(err);
      }
    }
    this.running--;
  }
}

/** Batches of one kind on their way at once: the next gathers while the thread pool runs the last. */
const IN_FLIGHT = 2;
/** Keys per batched read and rows per batched write: each size is its own prepared statement. */
const MAX_READS = 64;
const MAX_WRITES = 32;
const UPSERT = 'INSERT INTO thunder (key, value, expires) VALUES';
const ON_CONFLICT = 'ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires = excluded.expires';

type Row = [key: string, value: string, expires: number | null];

const SCHEMA = [
  'CREATE TABLE IF NOT EXISTS thunder (key TEXT PRIMARY KEY, value TEXT NOT NULL, expires INTEGER)',
  'CREATE TABLE IF NOT EXISTS thunder_index (name TEXT NOT NULL, member TEXT NOT NULL, score REAL NOT NULL, expires INTEGER NOT NULL, PRIMARY KEY (name, member))',
  'CREATE INDEX IF NOT EXISTS thunder_index_score ON thunder_index (name, score)',
];

/**
 * The embedded store: one file `state.sqlite` in DATA_DIR (0700), the file and its WAL 0600
 * (SQLite gives -wal/-shm the database file's mode). secure_delete zeroes erased rows in place;
 * `flush()` truncates the WAL after an erasure so no old page keeps them.
 * Two connections: `durable` (synchronous=FULL: requests, jobs, locks) and `fast` (NORMAL: a power
 * cut may lose the last session writes, a crash never; several times faster).
 */
export class SqliteBackend implements Backend {
  readonly kind = 'sqlite';
  private readonly durable: Conn;
  private readonly fast: Conn;
  /**
   * Reads have a connection of their own: a batched write on a connection with a read still open
   * would have to upgrade that read's snapshot, which SQLite refuses with SQLITE_BUSY at once (no
   * busy wait) when the durable connection wrote in between (seen after a restart under load).
   */
  private readonly reads: Conn;
  /** Reads wait for the schema, created on the durable connection. */
  private readonly schema: Promise<unknown>;
  private readonly readBatch = new Batcher<string, string | undefined>(MAX_READS, (keys) => this.readMany(keys));
  private readonly writes = new Batcher<Row, undefined>(MAX_WRITES, (rows) => this.writeMany(rows));

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    chmodSync(dataDir, 0o700);
    const file = resolve(dataDir, 'state.sqlite');
    closeSync(openSync(file, 'a', 0o600));
    chmodSync(file, 0o600);
    const pragmas = (sync: string) => [
      'PRAGMA busy_timeout=5000',
      'PRAGMA journal_mode=WAL',
      `PRAGMA synchronous=${sync}`,
      'PRAGMA secure_delete=ON',
    ];
    this.durable = new Conn(new sqlite3.Database(file), [...pragmas('FULL'), ...SCHEMA]);
    this.schema = this.durable.all('SELECT 1');
    // After the durable connection switched the file to WAL: two connections switching a new file at
    // once can get SQLITE_BUSY without the busy handler being asked (seen on a loaded machine).
    this.fast = new Conn(new sqlite3.Database(file), pragmas('NORMAL'), this.schema);
    this.reads = new Conn(new sqlite3.Database(file), pragmas('NORMAL'), this.schema);
  }

  private async reader(): Promise<Conn> {
    await this.schema;
    return this.reads;
  }

  private async writer(): Promise<Conn> {
    await this.schema;
    return this.fast;
  }

  get(key: string): Promise<string | undefined> {
    return this.readBatch.push(key);
  }

  private async readMany(keys: string[]): Promise<(string | undefined)[]> {
    const unique = [...new Set(keys)];
    const rows = await (await this.reader()).all<{ key: string; value: string }>(
      `SELECT key, value FROM thunder WHERE key IN (${unique.map(() => '?').join(', ')}) AND (expires IS NULL OR expires > ?)`,
      [...unique, Date.now()],
    );
    const found = new Map(rows.map((r) => [r.key, r.value]));
    return keys.map((k) => found.get(k));
  }

  async set(key: string, value: string, ttlMs: number | undefined, durable: boolean): Promise<void> {
    const row: Row = [key, value, ttlMs === undefined ? null : Date.now() + ttlMs];
    if (!durable) return this.writes.push(row);
    await this.durable.serial(() => this.durable.run(`${UPSERT} (?, ?, ?) ${ON_CONFLICT}`, row));
  }

  /** One statement, so one commit: the later of two writes of a key in a batch wins, as it would one after the other. */
  private async writeMany(rows: Row[]): Promise<undefined[]> {
    const last = [...new Map(rows.map((r) => [r[0], r])).values()];
    await (await this.writer()).run(`${UPSERT} ${last.map(() => '(?, ?, ?)').join(', ')} ${ON_CONFLICT}`, last.flat());
    return [];
  }

  async del(key: string): Promise<boolean> {
    return (await this.durable.serial(() => this.durable.run('DELETE FROM thunder WHERE key = ?', [key]))) > 0;
  }

  async *scan(prefix: string): AsyncIterable<[string, string]> {
    const rows = await (await this.reader()).all<{ key: string; value: string }>(
      'SELECT key, value FROM thunder WHERE key >= ? AND key < ? AND (expires IS NULL OR expires > ?) ORDER BY key',
      [prefix, `${prefix}\uffff`, Date.now()],
    );
    for (const r of rows) yield [r.key, r.value];
  }

  async acquire(key: string, owner: string, ttlMs: number): Promise<boolean> {
    const now = Date.now();
    // One statement: either the key is free (absent or expired) and becomes ours, or nothing changes.
    const sql =
      'INSERT INTO thunder (key, value, expires) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires = excluded.expires WHERE thunder.expires IS NOT NULL AND thunder.expires <= ?';
    return (await this.durable.serial(() => this.durable.run(sql, [key, JSON.stringify(owner), now + ttlMs, now]))) === 1;
  }

  async release(key: string, owner: string): Promise<boolean> {
    return (
      (await this.durable.serial(() =>
        this.durable.run('DELETE FROM thunder WHERE key = ? AND value = ? AND expires > ?', [key, JSON.stringify(owner), Date.now()]),
      )) === 1
    );
  }

  async extend(key: string, owner: string, ttlMs: number): Promise<boolean> {
    const now = Date.now();
    const sql = 'UPDATE thunder SET expires = ? WHERE key = ? AND value = ? AND expires > ?';
    return (await this.durable.serial(() => this.durable.run(sql, [now + ttlMs, key, JSON.stringify(owner), now]))) === 1;
  }

  async incr(key: string, by: number, ttlMs: number | undefined): Promise<number> {
    const now = Date.now();
    const sql = `INSERT INTO thunder (key, value, expires) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET
      value = CASE WHEN thunder.expires IS NOT NULL AND thunder.expires <= ? THEN excluded.value ELSE CAST(thunder.value AS INTEGER) + ? END,
      expires = COALESCE(excluded.expires, thunder.expires) RETURNING value`;
    const rows = await this.durable.serial(() =>
      this.durable.all<{ value: string }>(sql, [key, String(by), ttlMs === undefined ? null : now + ttlMs, now, by]),
    );
    return Number(rows[0]?.value);
  }

  async zrange(key: string, maxScore: number, limit: number): Promise<Scored[]> {
    return (await this.reader()).all<Scored>(
      'SELECT member, score FROM thunder_index WHERE name = ? AND score <= ? AND expires > ? ORDER BY score, member LIMIT ?',
      [key, Number.isFinite(maxScore) ? maxScore : Number.MAX_VALUE, Date.now(), limit],
    );
  }

  async zcard(key: string): Promise<number> {
    const rows = await (await this.reader()).all<{ n: number }>('SELECT count(*) AS n FROM thunder_index WHERE name = ? AND expires > ?', [
      key,
      Date.now(),
    ]);
    return rows[0]?.n ?? 0;
  }

  async zremIfEmpty(key: string, member: string, unlessKey: string): Promise<boolean> {
    const sql =
      'DELETE FROM thunder_index WHERE name = ? AND member = ? AND NOT EXISTS (SELECT 1 FROM thunder_index WHERE name = ? AND expires > ?)';
    return (await this.durable.serial(() => this.durable.run(sql, [key, member, unlessKey, Date.now()]))) === 1;
  }

  async batch(writes: RawWrite[]): Promise<void> {
    const c = this.durable;
    await c.serial(async () => {
      await c.run('BEGIN IMMEDIATE');
      try {
        for (const w of writes) await this.write(c, w);
        await c.run('COMMIT');
      } catch (err) {
        await c.run('ROLLBACK').catch(() => undefined);
        throw err;
      }
    });
  }

  private async write(c: Conn, w: RawWrite): Promise<void> {
    const now = Date.now();
    switch (w.op) {
      case 'set':
        await c.run(`${UPSERT} (?, ?, ?) ${ON_CONFLICT}`, [w.key, w.value, w.ttlMs === undefined ? null : now + w.ttlMs]);
        return;
      case 'del':
        await c.run('DELETE FROM thunder WHERE key = ?', [w.key]);
        return;
      case 'zadd': {
        const expires = now + w.ttlMs;
        const upsert =
          'INSERT INTO thunder_index (name, member, score, expires) VALUES (?, ?, ?, ?) ON CONFLICT (name, member) DO UPDATE SET score = excluded.score, expires = excluded.expires';
        if (w.onlyIfAbsent) await c.run(`${upsert} WHERE thunder_index.expires <= ?`, [w.key, w.member, w.score, expires, now]);
        else await c.run(upsert, [w.key, w.member, w.score, expires]);
        // Like Redis PEXPIRE on the whole sorted set.
        await c.run('UPDATE thunder_index SET expires = ? WHERE name = ? AND expires > ?', [expires, w.key, now]);
        return;
      }
      case 'zrem':
        await c.run('DELETE FROM thunder_index WHERE name = ? AND member = ?', [w.key, w.member]);
        return;
    }
  }

  async ping(): Promise<boolean> {
    return (await this.durable.all<{ one: number }>('SELECT 1 AS one'))[0]?.one === 1;
  }

  async sweep(now: number): Promise<number> {
    return this.durable.serial(async () => {
      const rows = await this.durable.run('DELETE FROM thunder WHERE expires IS NOT NULL AND expires < ?', [now]);
      return rows + (await this.durable.run('DELETE FROM thunder_index WHERE expires < ?', [now]));
    });
  }

  async durabilityRisks(): Promise<[]> {
    return [];
  }

  async flush(): Promise<void> {
    await this.durable.serial(() => this.durable.all('PRAGMA wal_checkpoint(TRUNCATE)'));
  }

  async close(): Promise<void> {
    // A last checkpoint folds the WAL into the database file and leaves it empty.
    await this.flush().catch(() => undefined);
    await Promise.all([this.reads.close(), this.fast.close(), this.durable.close()]);
  }
}
