import type { Space } from '../state/port.js';
import { z } from 'zod';
import { DAY_MS } from '../domain.js';

export const COUNTERS = ['answered', 'unanswered', 'escalations'] as const;
export type Counter = (typeof COUNTERS)[number];
export type DayCounts = Record<Counter, number>;

/** A counter nobody hit is missing: it reads as 0. */
const count = z.coerce.number().int().nonnegative().catch(0);
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

  constructor(
    private readonly kv: Space<unknown>,
    private readonly timeZone: string,
  ) {}

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

  /** An atomic counter per day and counter, so instances never overwrite each other's counts. */
  private async add(day: string, add: DayCounts): Promise<void> {
    for (const c of COUNTERS) if (add[c]) await this.kv.incr(`day:${day}:${c}`, add[c], KEEP_MS);
  }

  private async read(day: string): Promise<DayCounts> {
    const counts = zero();
    for (const c of COUNTERS) counts[c] = count.parse(await this.kv.get(`day:${day}:${c}`));
    return counts;
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
