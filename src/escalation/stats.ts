import type Keyv from 'keyv';
import { z } from 'zod';

export const COUNTERS = ['answered', 'unanswered', 'escalations'] as const;
export type Counter = (typeof COUNTERS)[number];
export type DayCounts = Record<Counter, number>;

const dayCountsSchema = z.object({ answered: z.number(), unanswered: z.number(), escalations: z.number() });
const DAY_MS = 24 * 60 * 60 * 1000;

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

  constructor(private readonly kv: Keyv<unknown>, private readonly timeZone: string) {}

  /** The day in the company's time zone, as YYYY-MM-DD. */
  dayOf(at: number): string {
    return new Intl.DateTimeFormat('en-CA', { timeZone: this.timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
  }

  count(counter: Counter, at = Date.now()): void {
    const day = this.dayOf(at);
    const counts = this.buffer.get(day) ?? zero();
    counts[counter]++;
    this.buffer.set(day, counts);
  }

  start(everyMs = 5000): void {
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
      for (const [day, add] of pending) {
        const parsed = dayCountsSchema.safeParse(await this.kv.get(day));
        const stored = parsed.success ? parsed.data : zero();
        for (const c of COUNTERS) stored[c] += add[c];
        await this.kv.set(day, stored, 8 * DAY_MS);
      }
    });
    return this.flushing;
  }

  /** The last `days` days, oldest first, today included. */
  async lastDays(days = 7, now = Date.now()): Promise<{ day: string; counts: DayCounts }[]> {
    await this.flush();
    const out: { day: string; counts: DayCounts }[] = [];
    // Calendar arithmetic on the local date, so a DST day is still one day.
    const [y, m, d] = this.dayOf(now).split('-').map(Number) as [number, number, number];
    for (let i = days - 1; i >= 0; i--) {
      const day = new Date(Date.UTC(y, m - 1, d - i)).toISOString().slice(0, 10);
      const parsed = dayCountsSchema.safeParse(await this.kv.get(day));
      out.push({ day, counts: parsed.success ? parsed.data : zero() });
    }
    return out;
  }
}
