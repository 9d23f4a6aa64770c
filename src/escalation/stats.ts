import type Keyv from 'keyv';
import { z } from 'zod';
import { DAY_MS } from '../domain.js';
import { redisOf } from './redis.js';

export const COUNTERS = ['answered', 'unanswered', 'escalations'] as const;
export type Counter = (typeof COUNTERS)[number];
export type DayCounts = Record<Counter, number>;

// Redis hashes hold strings, and a counter nobody hit is missing: both read as numbers.
const count = z.coerce.number().int().nonnegative().default(0);
const dayCountsSchema = z.object({ answered: count, unanswered: count, escalations: count });
/** A week of days is shown; one more day covers the time zone edge. */
const KEEP_MS = 8 * DAY_MS;

function zero(): DayCounts {
  return { answered: 0, unanswered: 0, escalations: 0 };
}

/**
 * Daily counters in the store, so they survive restarts and add up across instances.
 * Counts are buffered in memory and added to the stored day every few seconds.
 */
export class Stats {
  private buffer = new Map<string, DayCounts>();
  private flushing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private format: Intl.DateTimeFormat | undefined;

  constructor(private readonly kv: Keyv<unknown>, private readonly timeZone: string) {}

  /** The day in the company's time zone, as YYYY-MM-DD. */
  dayOf(at: number): string {
    // Building a DateTimeFormat is the costly part; it runs on every counted message.
    this.format ??= new Intl.DateTimeFormat('en-CA', { timeZone: this.timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    return this.format.format(at);
  }

  count(counter: Counter, at = Date.now()): void {
    const day = this.dayOf(at);
    const counts = this.buffer.get(day) ?? zero();
    counts[counter]++;
    this.buffer.set(day, counts);
  }

  async start(everyMs = 5000): Promise<void> {
    this.timer = setInterval(() => void this.flush(), everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  /** Adds the buffered counts to the stored days; flushes run one after another. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      const pending = this.buffer;
      this.buffer = new Map();
      for (const [day, add] of pending) await this.add(day, add);
    });
    return this.flushing;
  }

  /** On Redis an atomic HINCRBY per counter, so instances never overwrite each other's counts. */
  private async add(day: string, add: DayCounts): Promise<void> {
    const redis = await redisOf(this.kv);
    if (redis) {
      const key = `${redis.prefix}:day:${day}`;
      for (const c of COUNTERS) if (add[c]) await redis.client.hIncrBy(key, c, add[c]);
      await redis.client.pExpire(key, KEEP_MS);
      return;
    }
    const stored = await this.read(day);
    for (const c of COUNTERS) stored[c] += add[c];
    await this.kv.set(day, stored, KEEP_MS);
  }

  private async read(day: string): Promise<DayCounts> {
    const redis = await redisOf(this.kv);
    const raw = redis ? await redis.client.hGetAll(`${redis.prefix}:day:${day}`) : await this.kv.get(day);
    const parsed = dayCountsSchema.safeParse(raw);
    return parsed.success ? parsed.data : zero();
  }

  /** The last `days` days, oldest first, today included. */
  async lastDays(days = 7, now = Date.now()): Promise<{ day: string; counts: DayCounts }[]> {
    await this.flush();
    const out: { day: string; counts: DayCounts }[] = [];
    // Calendar arithmetic on the local date, so a DST day is still one day.
    const [y, m, d] = this.dayOf(now).split('-').map(Number) as [number, number, number];
    for (let i = days - 1; i >= 0; i--) {
      const day = new Date(Date.UTC(y, m - 1, d - i)).toISOString().slice(0, 10);
      out.push({ day, counts: await this.read(day) });
    }
    return out;
  }
}
