import type { Answer } from '../answers/engine.js';
import { type Labelled, labelledSamples } from '../answers/training.js';
import { errorInfo } from '../core/errors.js';
import type { Feature } from '../core/feature.js';
import type { Lang } from '../domain.js';
import type { Logger } from '../log/logger.js';
import type { Space } from '../state/port.js';
import { Gate } from './gate.js';
import { type Cluster, Gaps } from './gaps.js';
import { type Engine, Overlay } from './overlay.js';
import { Review } from './review.js';
import type { GapInput, GapSink } from './types.js';

export type { Cluster } from './gaps.js';
export type { AuditRecord, Outcome } from './review.js';
export { Review } from './review.js';

/** Where new clusters are announced (Slack's review channel). */
export interface ReviewDesk {
  digest(clusters: Cluster[]): Promise<void>;
}

/** At most one digest an hour, store-wide. */
const DIGEST_EVERY_MS = 60 * 60 * 1000;
/** How often an instance looks for clusters not yet announced (new gaps also trigger a look). */
const DIGEST_CHECK_MS = 5 * 60 * 1000;

export interface LearningOptions {
  engine: Engine;
  /** Gaps, and which clusters were announced. */
  gaps: Space<unknown>;
  /** The knowledge overlay and its lock. */
  overlay: Space<unknown>;
  audit: Space<unknown>;
  /** REVIEW_TTL_DAYS: how long a gap is kept from its first capture. */
  ttlMs: number;
  /** How often the overlay's version is read. */
  pollMs: number;
  desk?: ReviewDesk | undefined;
  log: Logger;
  /** The clock of retention and audit (tests move it). */
  now?: () => number;
  /** The labelled questions of the eval gate; by default every one the engine learns from. */
  samples?: () => Labelled[];
}

export interface Learning extends Feature {
  /** The engine's answers with the overlay's: what every feature asks. */
  ask(text: string, lang: Lang): Answer;
  sink: GapSink;
  review: Review;
  overlay: Overlay;
}

/**
 * Thunder learns from what it could not answer (issue #15): gaps are captured redacted, clustered
 * and reviewed by staff in Slack; accepted changes form a versioned overlay every instance answers
 * from without a restart.
 */
export function createLearning(opts: LearningOptions): Learning {
  const { engine, log } = opts;
  const now = opts.now ?? Date.now;
  const gaps = new Gaps(opts.gaps, opts.ttlMs, now);
  const overlay = new Overlay(opts.overlay, engine);
  const gate = new Gate(opts.samples ?? (() => labelledSamples(engine.kb)));
  const review = new Review({ gaps, overlay, gate, overlaySpace: opts.overlay, audit: opts.audit, engine, now });

  async function digest(): Promise<void> {
    if (!opts.desk) return;
    const fresh: Cluster[] = [];
    for (const c of await review.open()) if (!(await opts.gaps.get(`announced:${c.id}`))) fresh.push(c);
    if (!fresh.length || !(await opts.gaps.once('digest', DIGEST_EVERY_MS))) return;
    await opts.desk.digest(fresh);
    for (const c of fresh) await opts.gaps.set(`announced:${c.id}`, true, opts.ttlMs);
  }
  const digestLogged = () => digest().catch((err: unknown) => log.error({ err: errorInfo(err) }, 'learning: review digest failed'));

  const sink: GapSink = {
    async capture(gap: GapInput) {
      try {
        // staff already said the policy does not answer this: nothing to review again
        if (gap.reason !== 'thumbs_down' && overlay.snapshot.match(gap.text)?.target === null) return;
        if ((await gaps.capture(gap)) === 'new') void digestLogged();
      } catch (err) {
        // a gap is worth less than the customer's answer: never fail the turn for it
        log.error({ err: errorInfo(err) }, 'learning: gap not kept');
      }
    },
    forget: (texts) => gaps.forget(texts),
  };

  let poll: NodeJS.Timeout | undefined;
  let check: NodeJS.Timeout | undefined;
  const refresh = () =>
    overlay.refresh().catch((err: unknown) => log.error({ err: errorInfo(err) }, 'learning: knowledge overlay not read'));
  const service = {
    name: 'learning',
    async start() {
      await refresh();
      poll = setInterval(refresh, opts.pollMs);
      poll.unref();
      check = setInterval(digestLogged, DIGEST_CHECK_MS);
      check.unref();
    },
    async stop() {
      clearInterval(poll);
      clearInterval(check);
    },
  };

  return {
    name: 'learning',
    services: [service],
    // The session remembers which gaps the user's questions made (ids only); they go with it.
    onForget: async (_key, session) => {
      const texts = session.turns.filter((t) => t.from === 'user').map((t) => t.text);
      if (session.pendingGap) texts.push(session.pendingGap.text);
      await gaps.forget(texts, session.gapIds);
    },
    ask: overlay.ask,
    sink,
    review,
    overlay,
  };
}
