/**
 * Telegram throughput and latency: 500 simulated users × 10 messages each through the real
 * grammY bot and the fake Bot API. Each user sends a message, waits for the reply, sends the next.
 * Compares grammY's sequential bot.start (baseline) with the runner the app uses, with a Bot API
 * round trip; checks every message gets exactly one reply and that memory does not grow with users.
 *   npm run bench:telegram  [-- --users 500 --messages 10 --rtt 10]
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { AnswerEngine } from '../src/answers/engine.js';
import { loadKnowledge } from '../src/answers/knowledge.js';
import { startTestApp } from '../tests/helpers/app.js';
import { FakeTelegram } from '../tests/helpers/fake-telegram.js';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '500' },
    messages: { type: 'string', default: '10' },
    rtt: { type: 'string', default: '10' },
  },
});
const USERS = Number(values.users);
/** A round trip to api.telegram.org from a nearby data centre. */
const RTT_MS = Number(values.rtt);
const THINK_MS = 2000;
const MESSAGES = Number(values.messages);

// What users send: sample questions in both languages that the engine answers, commands, and
// now and then a question the policy does not answer. One reply per message: two misses in a
// row would add an offer of a human, so misses are kept apart.
const kb = loadKnowledge();
const engine = new AnswerEngine(kb);
const answered = [...kb.entries.values()]
  .flatMap((e) => [e.questions.lv.at(-1)!, e.questions.en.at(-1)!])
  .filter((q) => engine.ask(q, 'lv').entry !== null);
const texts = answered.flatMap((q, i) =>
  i % 7 === 3 ? [q, '/help', 'Kāda būs elektrības cena rīt?'] : i % 11 === 5 ? [q, '/topics'] : [q],
);

interface Result {
  mode: string;
  latencyMs: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
  lost: number;
  duplicated: number;
  heapMb: number;
  rssMb: number;
}

const mb = (n: number) => Math.round((n / 1024 / 1024) * 10) / 10;
function memory() {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return { heap: mb(m.heapUsed), rss: mb(m.rss) };
}

async function round(mode: 'simple' | 'runner', firstUser: number, latencyMs: number, thinkMs = 0): Promise<Result> {
  const fake = await FakeTelegram.start({ recordCalls: false, latencyMs });
  // The app's own Telegram channel is the runner; the baseline polls with grammY's bot.start instead.
  const t = await startTestApp(fake.env(), { noStart: true, telegramPolling: mode });
  for (const s of t.app.services) await s.start();

  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: USERS }, async (_, i) => {
      const user = firstUser + i;
      for (let m = 0; m < MESSAGES; m++) {
        if (thinkMs) await new Promise((r) => setTimeout(r, thinkMs * (0.5 + Math.random())));
        const sent = performance.now();
        fake.sendText(user, texts[(i * MESSAGES + m) % texts.length]!, { lang: i % 2 ? 'lv' : 'en' });
        // A reply that never comes is counted as lost below; this user stops there.
        const replied = await fake.waitForMessages(user, m + 1, 30_000).then(
          () => true,
          () => false,
        );
        if (!replied) return;
        latencies.push(performance.now() - sent);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  // Late duplicates would show up here.
  await new Promise((r) => setTimeout(r, 500));
  let lost = 0;
  let duplicated = 0;
  for (let i = 0; i < USERS; i++) {
    const got = fake.messagesOf(firstUser + i).length;
    if (got < MESSAGES) lost += MESSAGES - got;
    if (got > MESSAGES) duplicated += got - MESSAGES;
  }
  for (const s of [...t.app.services].reverse()) await s.stop();
  await t.teardown();
  await fake.close();

  latencies.sort((a, b) => a - b);
  const pct = (p: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]! * 10) / 10;
  const mem = memory();
  return {
    mode,
    latencyMs,
    seconds: Math.round(seconds * 100) / 100,
    perSecond: Math.round((USERS * MESSAGES) / seconds),
    p50: pct(50),
    p99: pct(99),
    max: Math.round(latencies.at(-1)! * 10) / 10,
    lost,
    duplicated,
    heapMb: mem.heap,
    rssMb: mem.rss,
  };
}

const before = memory();
console.log(
  `Telegram bench: ${USERS} users × ${MESSAGES} messages = ${USERS * MESSAGES} messages per round; node ${process.version}${(globalThis as { gc?: unknown }).gc ? '' : ' (run with --expose-gc for exact heap figures)'}`,
);
console.log(`${texts.length} different texts: ${answered.length} answered questions, commands, unanswerable questions`);
console.log(`memory before: heap ${before.heap} MB, rss ${before.rss} MB`);
// Our own cost first (the fake answers at once), then with a network round trip to the Bot API,
// where grammY's sequential bot.start (the baseline) waits for each call before the next update.
const results: Result[] = [];
results.push(await round('runner', 1_000_000, 0));
// A second round with new users: memory after it should match the first (nothing kept per user in RAM).
results.push(await round('runner', 2_000_000, 0));
results.push(await round('runner', 3_000_000, RTT_MS));
results.push(await round('simple', 4_000_000, RTT_MS));
// Users who read before they write again: the latency a customer sees at a steady load.
results.push(await round('runner', 5_000_000, RTT_MS, THINK_MS));
const label = ['runner', 'runner (new users)', 'runner', 'simple bot.start (baseline)', `runner, users think ~${THINK_MS / 1000} s`];
console.table(
  results.map((r, i) => ({
    round: label[i],
    'API RTT ms': r.latencyMs,
    'msgs/s': r.perSecond,
    'p50 ms': r.p50,
    'p99 ms': r.p99,
    'max ms': r.max,
    lost: r.lost,
    duplicated: r.duplicated,
    'heap MB after': r.heapMb,
    'rss MB after': r.rssMb,
  })),
);
const [first, again, runner, simple, paced] = results as [Result, Result, Result, Result, Result];
console.log(
  `with a ${RTT_MS} ms Bot API round trip: runner ${runner.perSecond} msgs/s, p99 ${runner.p99} ms; sequential bot.start ${simple.perSecond} msgs/s, p99 ${simple.p99} ms (${(runner.perSecond / simple.perSecond).toFixed(1)}× throughput)`,
);
console.log(
  `at a steady ${paced.perSecond} msgs/s (users pausing ~${THINK_MS / 1000} s between messages): p50 ${paced.p50} ms, p99 ${paced.p99} ms`,
);
console.log(
  `heap after 1st round ${first.heapMb} MB, after 2nd with ${USERS} new users ${again.heapMb} MB (growth ${(again.heapMb - first.heapMb).toFixed(1)} MB)`,
);

const failures = results.filter((r) => r.lost || r.duplicated);
if (failures.length) {
  console.error(`FAIL: ${failures.map((r) => `${r.mode}: ${r.lost} lost, ${r.duplicated} duplicated`).join('; ')}`);
  process.exit(1);
}
console.log('OK: every message got exactly one reply in every round');
