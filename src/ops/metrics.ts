import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { CHANNELS } from '../core/types.js';
import type { CoreEmitter } from '../core/events.js';

/** Store-wide gauges, read at scrape time so they are right after restarts and on every instance. */
export interface Gauges {
  pendingRequests(): Promise<number>;
  openEscalations(): Promise<number>;
  /** What can make the store lose recorded requests right now (empty: nothing known). */
  durabilityRisks?(): string[];
  /** Every risk `durabilityRisks` may name, so each has a series from the start. */
  durabilityKinds?: readonly string[];
}

/**
 * Prometheus metrics fed by core events. Each app has its own registry (tests run several apps in
 * one process). Counters count what this instance saw: sum them across instances. The gauges read
 * the shared store, so every instance reports the same total.
 */
export function createMetrics(events: CoreEmitter, gauges: Gauges): Registry {
  const register = new Registry();
  collectDefaultMetrics({ register, prefix: 'thunder_' });
  const registers = [register];

  const messages = new Counter({
    name: 'thunder_messages_total',
    help: 'Messages handled by the core, by channel',
    labelNames: ['channel'],
    registers,
  });
  const answers = new Counter({
    name: 'thunder_answers_total',
    help: 'Questions answered from the knowledge base vs. fallbacks (the policy does not answer)',
    labelNames: ['channel', 'result'],
    registers,
  });
  const byEntry = new Counter({
    name: 'thunder_answers_by_entry_total',
    help: 'Answers by knowledge base entry',
    labelNames: ['entry'],
    registers,
  });
  const latency = new Histogram({
    name: 'thunder_reply_seconds',
    help: 'Time from a message reaching the core to its replies, by channel',
    labelNames: ['channel'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers,
  });
  const requests = new Counter({
    name: 'thunder_requests_total',
    help: 'Rights requests: created (accepted from a user), submitted (accepted by the request API), failed (refused by it), retried',
    labelNames: ['outcome'],
    registers,
  });
  const storeGauge = (name: string, help: string, read: () => Promise<number>) =>
    new Gauge({
      name,
      help: `${help} (store-wide: the same on every instance)`,
      registers,
      async collect() {
        // A store hiccup must not fail the whole scrape: keep the last value.
        const n = await read().catch(() => undefined);
        if (n !== undefined) this.set(n);
      },
    });
  storeGauge(
    'thunder_requests_pending',
    'Rights requests in the outbox not yet accepted or refused by the request API',
    gauges.pendingRequests,
  );
  storeGauge('thunder_escalations_open', 'Escalations to a human opened and not yet resolved', gauges.openEscalations);
  const rateLimited = new Counter({
    name: 'thunder_rate_limited_total',
    help: 'Messages refused by the per-user rate limit, by channel',
    labelNames: ['channel'],
    registers,
  });
  const deliveryFailures = new Counter({
    name: 'thunder_delivery_failures_total',
    help: 'Messages a platform refused, by channel and reason (Meta: retry, window, unreachable, token, invalid)',
    labelNames: ['channel', 'reason'],
    registers,
  });
  new Gauge({
    name: 'thunder_state_durability_risk',
    help: 'Whether the store can lose recorded requests, by kind (noPersistence, eviction, unknown): 1 yes, 0 no',
    labelNames: ['kind'],
    registers,
    collect() {
      const now = gauges.durabilityRisks?.() ?? [];
      for (const kind of gauges.durabilityKinds ?? []) this.set({ kind }, now.includes(kind) ? 1 : 0);
    },
  });
  const feedback = new Counter({
    name: 'thunder_answer_feedback_total',
    help: 'Answers rated 👍 (up) or 👎 (down), once per answer, by knowledge base entry and channel',
    labelNames: ['entry', 'vote', 'channel'],
    registers,
  });
  const jobs = new Counter({
    name: 'thunder_jobs_total',
    help: 'Job outcomes on this instance, by kind: done, retry, failed (undeliverable, dropped), missing (listed but its data gone: an error)',
    labelNames: ['kind', 'outcome'],
    registers,
  });
  for (const outcome of ['done', 'retry', 'failed', 'missing']) jobs.inc({ kind: 'request.submit', outcome }, 0);
  for (const channel of CHANNELS) {
    messages.inc({ channel }, 0);
    answers.inc({ channel, result: 'answered' }, 0);
    answers.inc({ channel, result: 'fallback' }, 0);
    rateLimited.inc({ channel }, 0);
    latency.zero({ channel });
  }
  for (const outcome of ['created', 'submitted', 'failed', 'retried']) requests.inc({ outcome }, 0);

  events.on('message', ({ channel, ms }) => {
    messages.inc({ channel });
    latency.observe({ channel }, ms / 1000);
  });
  events.on('answered', ({ channel, entryId }) => {
    answers.inc({ channel, result: 'answered' });
    byEntry.inc({ entry: entryId });
  });
  events.on('fallback', ({ channel }) => answers.inc({ channel, result: 'fallback' }));
  events.on('request.created', () => requests.inc({ outcome: 'created' }));
  events.on('request.accepted', () => requests.inc({ outcome: 'submitted' }));
  events.on('request.rejected', () => requests.inc({ outcome: 'failed' }));
  events.on('request.retry', () => requests.inc({ outcome: 'retried' }));
  events.on('rate.limited', ({ channel }) => rateLimited.inc({ channel }));
  events.on('job', ({ kind, outcome }) => jobs.inc({ kind, outcome }));
  events.on('feedback', ({ entryId, vote, channel }) => feedback.inc({ entry: entryId, vote, channel }));
  events.on('delivery.failed', ({ channel, reason }) => deliveryFailures.inc({ channel, reason }));
  return register;
}
