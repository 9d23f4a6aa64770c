import { createHash } from 'node:crypto';
import { z } from 'zod';
import { normalize } from '../answers/normalize.js';
import { CHANNELS } from '../core/types.js';
import { LANGS } from '../domain.js';
import type { Space } from '../state/port.js';
import { keepable, withoutMarkers } from './redact.js';
import { similarity, vector } from './similar.js';
import type { GapInput, GapReason } from './types.js';

const GAP_REASONS = ['unanswered', 'unsure', 'none_of_these', 'thumbs_down'] as const satisfies readonly GapReason[];

/** A gap as kept: redacted text and counts, no user or chat id. */
const gapSchema = z.object({
  lang: z.enum(LANGS),
  channel: z.enum(CHANNELS),
  text: z.string(),
  /** The normalised text: gaps with the same key are one gap. */
  key: z.string(),
  candidates: z.array(z.object({ id: z.string(), p: z.number() })),
  reason: z.enum(GAP_REASONS),
  count: z.number().int().positive(),
  firstSeen: z.number(),
  lastSeen: z.number(),
});
export type Gap = z.infer<typeof gapSchema> & { id: string };

/** Candidates kept per gap: a card shows the top three. */
const MAX_CANDIDATES = 3;

/**
 * A customer's own word that we got it wrong outranks our doubt. A "none of these" press follows
 * the question's own capture, so it marks the gap instead of counting it twice.
 */
const STRENGTH: Record<GapReason, number> = { unsure: 0, unanswered: 1, thumbs_down: 2, none_of_these: 2 };

type Captured = 'new' | 'seen' | 'dropped';

/** The gaps in the store, each kept `ttlMs` from its first capture, whatever comes later. */
export class Gaps {
  constructor(
    private readonly space: Space<unknown>,
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  /** Redacts, then adds the gap or counts it again; nothing is kept when redaction leaves too little. */
  async capture(input: GapInput): Promise<Captured> {
    const text = keepable(input.text);
    if (!text) return 'dropped';
    const key = normalize(withoutMarkers(text));
    const id = gapId(input.lang, key);
    const now = this.now();
    const candidates = input.candidates.slice(0, MAX_CANDIDATES).map((c) => ({ id: c.id, p: Math.round(c.p * 1000) / 1000 }));
    const lock = await this.space.waitLock(id, 5000, 2000);
    try {
      const old = await this.read(id, now);
      if (!old) {
        const gap = {
          lang: input.lang,
          channel: input.channel,
          text,
          key,
          candidates,
          reason: input.reason,
          count: 1,
          firstSeen: now,
          lastSeen: now,
        };
        await this.space.set(`gap:${id}`, gap, this.ttlMs);
        return 'new';
      }
      const stronger = STRENGTH[input.reason] > STRENGTH[old.reason];
      const recount = input.reason !== 'none_of_these';
      const { id: _, ...rest } = old;
      const gap = { ...rest, reason: stronger ? input.reason : old.reason, count: old.count + (recount ? 1 : 0), lastSeen: now };
      await this.space.set(`gap:${id}`, gap, Math.max(1, old.firstSeen + this.ttlMs - now));
      return 'seen';
    } finally {
      await lock.release();
    }
  }

  private async read(id: string, now: number): Promise<Gap | undefined> {
    const parsed = gapSchema.safeParse(await this.space.get(`gap:${id}`));
    if (!parsed.success) return undefined;
    if (now - parsed.data.firstSeen >= this.ttlMs) {
      await this.space.delete(`gap:${id}`);
      return undefined;
    }
    return { ...parsed.data, id };
  }

  /** Every live gap; expired ones (by our clock) are deleted on the way. */
  async list(): Promise<Gap[]> {
    const now = this.now();
    const out: Gap[] = [];
    const expired: string[] = [];
    for await (const [key, raw] of this.space.iterator('gap:')) {
      const parsed = gapSchema.safeParse(raw);
      const id = key.slice('gap:'.length);
      if (!parsed.success || now - parsed.data.firstSeen >= this.ttlMs) expired.push(id);
      else out.push({ ...parsed.data, id });
    }
    for (const id of expired) await this.space.delete(`gap:${id}`);
    return out;
  }

  /**
   * /forget: the gaps a user's messages made, by the ids their session kept and found again from the
   * last messages themselves; a gap keeps nothing that points to the user. A gap others asked word
   * for word goes too.
   */
  async forget(texts: string[], ids: string[] = []): Promise<void> {
    const all = new Set(ids);
    for (const text of texts) for (const lang of LANGS) all.add(gapIdOf(text, lang) ?? '');
    all.delete('');
    await this.remove([...all]);
  }

  /** Whether any of these gaps is still open. */
  async anyOf(ids: string[]): Promise<boolean> {
    const now = this.now();
    for (const id of ids) if (await this.read(id, now)) return true;
    return false;
  }

  /** Resolved gaps are deleted at once. */
  async remove(ids: string[]): Promise<void> {
    for (const id of ids) await this.space.delete(`gap:${id}`);
  }
}

function gapId(lang: string, key: string): string {
  return createHash('sha256').update(`${lang}\0${key}`).digest('base64url').slice(0, 16);
}

/** The id of the gap a message makes (a hash of its redacted, normalised text), or undefined when none is kept. */
export function gapIdOf(text: string, lang: string): string | undefined {
  const kept = keepable(text);
  return kept ? gapId(lang, normalize(withoutMarkers(kept))) : undefined;
}

export interface Cluster {
  /** The first gap's id: stable while that gap lives. */
  id: string;
  /** Most asked first. */
  gaps: Gap[];
  count: number;
  /** The first gap's candidates. */
  candidates: { id: string; p: number }[];
}

/** Gaps with the same top candidate at least this alike ask the same thing. */
const CLUSTER_AT = 0.5;

/**
 * Groups gaps that ask the same thing: the same normalised text is one gap already; then a gap
 * joins the first cluster (oldest first) whose first gap has the same top candidate and is alike
 * enough. Deterministic: the same gaps give the same clusters in the same order.
 */
export function clusterGaps(gaps: Gap[]): Cluster[] {
  const ordered = [...gaps].sort((a, b) => a.firstSeen - b.firstSeen || (a.id < b.id ? -1 : 1));
  const clusters: { head: Gap; headVector: ReturnType<typeof vector>; gaps: Gap[] }[] = [];
  for (const gap of ordered) {
    const v = vector(gap.text);
    const top = gap.candidates[0]?.id;
    const home = clusters.find((c) => c.head.candidates[0]?.id === top && similarity(c.headVector, v) >= CLUSTER_AT);
    if (home) home.gaps.push(gap);
    else clusters.push({ head: gap, headVector: v, gaps: [gap] });
  }
  return clusters
    .map(({ head, gaps: members }) => ({
      id: head.id,
      gaps: [...members].sort((a, b) => b.count - a.count || a.firstSeen - b.firstSeen),
      count: members.reduce((n, g) => n + g.count, 0),
      candidates: head.candidates,
    }))
    .sort((a, b) => b.count - a.count || (a.id < b.id ? -1 : 1));
}
