import { z } from 'zod';
import { DAY_MS } from '../domain.js';
import type { Space } from '../state/port.js';

export const VOTES = ['up', 'down'] as const;
export type Vote = (typeof VOTES)[number];

/** A week of days is shown; one more day covers the time zone edge. */
const KEEP_MS = 8 * DAY_MS;
const count = z.coerce.number().int().nonnegative().catch(0);

export interface EntryVotes {
  entry: string;
  up: number;
  down: number;
}

/**
 * Votes per entry and day in the store (`<day>:<entry>:<vote>`, atomic counters), so they survive
 * restarts and add up across instances. Entry ids come from the knowledge base only, so the keys
 * are bounded by it and by the days kept.
 */
export class FeedbackStats {
  private format: Intl.DateTimeFormat | undefined;

  constructor(
    private readonly kv: Space<unknown>,
    private readonly timeZone: string,
  ) {}

  private dayOf(at: number): string {
    this.format ??= new Intl.DateTimeFormat('en-CA', { timeZone: this.timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    return this.format.format(at);
  }

  async count(entry: string, vote: Vote, at = Date.now()): Promise<void> {
    await this.kv.incr(`${this.dayOf(at)}:${entry}:${vote}`, 1, KEEP_MS);
  }

  /** Totals per entry over the last `days` days (today included), most 👎 first. */
  async byEntry(days = 7, now = Date.now()): Promise<EntryVotes[]> {
    // Calendar arithmetic on the local date, so a DST day is still one day.
    const [y, m, d] = this.dayOf(now).split('-').map(Number) as [number, number, number];
    const first = new Date(Date.UTC(y, m - 1, d - (days - 1))).toISOString().slice(0, 10);
    const totals = new Map<string, EntryVotes>();
    for await (const [key, value] of this.kv.iterator()) {
      const day = key.slice(0, 10);
      const vote = key.slice(key.lastIndexOf(':') + 1);
      const entry = key.slice(11, key.lastIndexOf(':'));
      if (day < first || (vote !== 'up' && vote !== 'down') || !entry) continue;
      const total = totals.get(entry) ?? { entry, up: 0, down: 0 };
      total[vote] += count.parse(value);
      totals.set(entry, total);
    }
    return [...totals.values()].sort((a, b) => b.down - a.down || b.up - a.up || a.entry.localeCompare(b.entry));
  }
}
