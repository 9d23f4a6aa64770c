import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Space } from '../state/port.js';
import type { Conflict, Gate } from './gate.js';
import { type Cluster, clusterGaps, type Gaps } from './gaps.js';
import type { Change, Engine, Overlay, Snapshot } from './overlay.js';

export type ReviewAction = 'add' | 'none' | 'dismiss' | 'undo';

export type Outcome =
  | { ok: true; action: ReviewAction; entryId?: string | undefined; version?: number; texts: number; gateMs?: number }
  | { ok: false; reason: 'missing' | 'unknown_entry' | 'nothing_to_undo' }
  | { ok: false; reason: 'refused'; conflicts: Conflict[]; entryId?: string | undefined };

/** Who did what when: no customer text, only ids and counts. */
const auditSchema = z.object({
  at: z.number(),
  by: z.string(),
  action: z.enum(['add', 'none', 'dismiss', 'undo']),
  cluster: z.string().optional(),
  entryId: z.string().optional(),
  /** How many gaps the action took. */
  gaps: z.number().int().nonnegative(),
  outcome: z.string(),
  version: z.number().int().optional(),
});
export type AuditRecord = z.infer<typeof auditSchema>;

/** Audit records are kept a year: who changed the knowledge is asked long after. */
export const AUDIT_TTL_MS = 365 * 24 * 60 * 60 * 1000;
/** Texts a cluster gives the overlay at most (the most asked first). */
const MAX_TEXTS = 20;

export interface ReviewOptions {
  gaps: Gaps;
  overlay: Overlay;
  gate: Gate;
  /** The overlay's lock lives here (the same space as the overlay), and the audit log. */
  overlaySpace: Space<unknown>;
  audit: Space<unknown>;
  engine: Engine;
  now: () => number;
}

/**
 * Staff review of the gaps: open clusters, and the actions on them. Changes to the overlay are made
 * one at a time store-wide (a lock), gated, written as a new version and swapped in here at once;
 * other instances pick the version up on their next poll.
 */
export class Review {
  constructor(private readonly o: ReviewOptions) {}

  get entries(): Engine['kb']['entries'] {
    return this.o.engine.kb.entries;
  }

  async open(): Promise<Cluster[]> {
    return clusterGaps(await this.o.gaps.list());
  }

  async act(clusterId: string, action: 'add' | 'none' | 'dismiss', entryId: string | undefined, by: string): Promise<Outcome> {
    const outcome = await this.apply(clusterId, action, entryId, by);
    await this.record({ by, action, cluster: clusterId, entryId, outcome });
    return outcome;
  }

  private async apply(clusterId: string, action: 'add' | 'none' | 'dismiss', entryId: string | undefined, by: string): Promise<Outcome> {
    if (action === 'add' && (!entryId || !this.entries.has(entryId))) return { ok: false, reason: 'unknown_entry' };
    const cluster = (await this.open()).find((c) => c.id === clusterId);
    if (!cluster) return { ok: false, reason: 'missing' };
    const ids = cluster.gaps.map((g) => g.id);
    if (action === 'dismiss') {
      await this.o.gaps.remove(ids);
      return { ok: true, action, texts: ids.length };
    }
    const texts = cluster.gaps.slice(0, MAX_TEXTS).map((g) => ({ text: g.text, lang: g.lang }));
    const change: Omit<Change, 'seq'> = {
      kind: action,
      ...(action === 'add' ? { entryId } : {}),
      texts,
      cluster: clusterId,
      by,
      at: this.o.now(),
    };
    const result = await this.change(async (before) => {
      // Pressed on two instances at once: the first took the cluster, the second finds it gone.
      if (!(await this.o.gaps.anyOf(ids))) return { gone: true };
      const after = before.with(change);
      const started = performance.now();
      const { conflicts } = this.o.gate.check(
        before,
        after,
        texts.map((t) => t.text),
      );
      const gateMs = Math.round(performance.now() - started);
      return conflicts.length ? { refused: conflicts } : { next: after, gateMs };
    });
    if ('gone' in result) return { ok: false, reason: 'missing' };
    if ('refused' in result) return { ok: false, reason: 'refused', conflicts: result.refused, entryId };
    await this.o.gaps.remove(ids);
    return { ok: true, action, entryId, version: result.version, texts: texts.length, gateMs: result.gateMs };
  }

  /** Takes back the last accepted change (its gaps were resolved and stay gone). */
  async undo(by: string): Promise<Outcome & { change?: Change }> {
    let undone: Change | undefined;
    const result = await this.change(async (before) => {
      undone = before.doc.changes.at(-1);
      return undone ? { next: before.withoutLast() } : { refused: [] };
    });
    const outcome: Outcome & { change?: Change } =
      'refused' in result || 'gone' in result || !undone
        ? { ok: false, reason: 'nothing_to_undo' }
        : { ok: true, action: 'undo', entryId: undone.entryId, version: result.version, texts: undone.texts.length, change: undone };
    await this.record({ by, action: 'undo', cluster: undone?.cluster, entryId: undone?.entryId, outcome });
    return outcome;
  }

  /** One overlay change at a time, store-wide, on the latest stored version. */
  private async change(
    decide: (before: Snapshot) => Promise<{ next: Snapshot; gateMs?: number } | { refused: Conflict[] } | { gone: true }>,
  ): Promise<{ version: number; gateMs?: number | undefined } | { refused: Conflict[] } | { gone: true }> {
    const lock = await this.o.overlaySpace.waitLock('overlay', 60_000, 30_000);
    try {
      this.o.overlay.adopt(await this.o.overlay.read());
      const decided = await decide(this.o.overlay.snapshot);
      if ('refused' in decided || 'gone' in decided) return decided;
      await this.o.overlay.write(decided.next);
      this.o.overlay.swap(decided.next);
      return { version: decided.next.version, gateMs: decided.gateMs };
    } finally {
      await lock.release();
    }
  }

  private async record(r: {
    by: string;
    action: ReviewAction;
    cluster?: string | undefined;
    entryId?: string | undefined;
    outcome: Outcome;
  }): Promise<void> {
    const at = this.o.now();
    const { outcome } = r;
    const entry: AuditRecord = {
      at,
      by: r.by,
      action: r.action,
      ...(r.cluster ? { cluster: r.cluster } : {}),
      ...(r.entryId ? { entryId: r.entryId } : {}),
      gaps: outcome.ok ? outcome.texts : 0,
      outcome: outcome.ok ? 'done' : outcome.reason,
      ...(outcome.ok && outcome.version !== undefined ? { version: outcome.version } : {}),
    };
    await this.o.audit.set(`audit:${String(at).padStart(15, '0')}:${randomUUID().slice(0, 8)}`, entry, AUDIT_TTL_MS);
  }

  /** The latest audit records, newest first. */
  async auditLog(limit = 20): Promise<AuditRecord[]> {
    const all: [string, AuditRecord][] = [];
    for await (const [key, raw] of this.o.audit.iterator('audit:')) {
      const parsed = auditSchema.safeParse(raw);
      if (parsed.success) all.push([key, parsed.data]);
    }
    return all
      .sort((a, b) => (a[0] < b[0] ? 1 : -1))
      .slice(0, limit)
      .map(([, r]) => r);
  }
}
