/**
 * Meta channels under load: 500 Messenger users × 10 messages each through the signed webhook of
 * the real server (its own process) to a fake Graph API on loopback. Each user writes its next
 * message when the previous answer arrived; one message in ten is delivered twice at once, as
 * Meta redelivers. Measures messages/s and the time from the webhook POST to the Send API call,
 * and checks that every user got exactly one answer per message (none lost, none doubled).
 * Baselines in the same run: /healthz and the web chat at 100 connections (the same server).
 *   npm run bench:meta  [-- --users 500 --messages 10 --seconds 5]
 */
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { loadKnowledge } from '../src/answers/knowledge.js';
import { FakeGraph, messagingEvent, metaJson, pageBody, sign, type GraphCall } from '../tests/helpers/fake-graph.js';
import { spawnThunder, type Instance } from '../tests/ops/spawn.js';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '500' },
    messages: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '5' },
  },
});
const USERS = Number(values.users);
const MESSAGES = Number(values.messages);
const SECONDS = Number(values.seconds);

// Each entry's first question, both languages: each is answered from the policy in one message.
const kb = loadKnowledge();
const questions = [...kb.entries.values()].flatMap((e) => [e.questions.lv[0]!, e.questions.en[0]!]);

interface Row {
  run: string;
  'msg/s': number;
  'p50 ms': number;
  'p99 ms': number;
  messages: number;
  problems: string;
}

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : 0;
}

async function baseline(server: Instance, name: string, opts: Partial<autocannon.Options>): Promise<Row> {
  const r = await autocannon({ url: server.url, connections: 100, duration: SECONDS, ...opts });
  const dropped = r.non2xx + r.errors + r.timeouts;
  return {
    run: name,
    'msg/s': Math.round(r.requests.average),
    'p50 ms': r.latency.p50,
    'p99 ms': r.latency.p99,
    messages: r.requests.total,
    problems: dropped ? `${dropped} dropped` : 'none',
  };
}

function webChat(sessions: string[]): Partial<autocannon.Options> {
  let nextVisitor = 0;
  let nextQuestion = 0;
  return {
    requests: [
      {
        method: 'POST',
        path: '/api/chat/messages',
        headers: { 'content-type': 'application/json' },
        setupRequest: (req, context: { sessionId?: string }) => {
          context.sessionId ??= sessions[nextVisitor++ % sessions.length];
          return { ...req, body: JSON.stringify({ sessionId: context.sessionId, text: questions[nextQuestion++ % questions.length] }) };
        },
      },
    ],
  };
}

/** 500 users, each writing its 10 messages one after another; the Graph fake's arrivals end each wait. */
async function metaRun(server: Instance, graph: FakeGraph, name: string, window: string): Promise<Row> {
  const waiting = new Map<string, () => void>();
  const answers = new Map<string, GraphCall[]>();
  graph.onCall = (call) => {
    const list = answers.get(call.to) ?? [];
    list.push(call);
    answers.set(call.to, list);
    waiting.get(call.to)?.();
  };
  const latencies: number[] = [];
  let posts = 0;
  let refused = 0;
  const run = `${Date.now().toString(36)}${window}`;
  const post = async (raw: string): Promise<void> => {
    posts++;
    const res = await fetch(`${server.url}/meta/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(raw) },
      body: raw,
    });
    if (res.status !== 200) refused++;
    await res.arrayBuffer();
  };
  const user = async (u: number): Promise<void> => {
    const psid = `${run}u${u}`;
    for (let m = 0; m < MESSAGES; m++) {
      const raw = metaJson(pageBody([messagingEvent(psid, questions[(u + m) % questions.length]!)]));
      const answered = new Promise<void>((done) => waiting.set(psid, done));
      const started = performance.now();
      // One message in ten arrives twice at once, as Meta redelivers.
      await Promise.all((u * MESSAGES + m) % 10 === 0 ? [post(raw), post(raw)] : [post(raw)]);
      await answered;
      latencies.push(performance.now() - started);
    }
    waiting.delete(psid);
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: USERS }, (_, u) => user(u)));
  const seconds = (performance.now() - started) / 1000;
  // Late doubles would show up within this pause (a benchmark, not a test: a fixed wait is fine).
  await new Promise((r) => setTimeout(r, 1000));
  let lost = 0;
  let doubled = 0;
  for (let u = 0; u < USERS; u++) {
    const got = (answers.get(`${run}u${u}`) ?? []).filter((c) => c.payload.messaging_type === 'RESPONSE').length;
    if (got < MESSAGES) lost += MESSAGES - got;
    if (got > MESSAGES) doubled += got - MESSAGES;
  }
  latencies.sort((a, b) => a - b);
  const problems = [lost && `${lost} lost`, doubled && `${doubled} doubled`, refused && `${refused} refused`].filter(Boolean).join(', ');
  return {
    run: name,
    'msg/s': Math.round(latencies.length / seconds),
    'p50 ms': Math.round(percentile(latencies, 50)),
    'p99 ms': Math.round(percentile(latencies, 99)),
    messages: latencies.length,
    problems: problems || `none (${posts} signed POSTs)`,
  };
}

const graph = await FakeGraph.start({ recordCalls: false });
const rows: Row[] = [];
try {
  for (const window of ['150', '0']) {
    // A busy machine needs longer than the tests' 20 s to build the answer engine at start.
    const server = await spawnThunder(
      { ...graph.env(), RATE_LIMIT_PER_MINUTE: '1000000', WEB_SESSIONS_PER_MINUTE: '1000000', META_ORDER_WINDOW_MS: window },
      120_000,
    );
    try {
      if (window === '150') {
        rows.push(
          await baseline(server, 'GET /healthz, 100 connections (HTTP baseline)', { requests: [{ method: 'GET', path: '/healthz' }] }),
        );
        const sessions = await Promise.all(
          Array.from(
            { length: 100 },
            async () =>
              ((await (await fetch(`${server.url}/api/chat/session`, { method: 'POST' })).json()) as { sessionId: string }).sessionId,
          ),
        );
        rows.push(await baseline(server, 'web chat, 100 visitors (channel baseline)', webChat(sessions)));
      }
      const label = window === '150' ? 'default order window 150 ms' : 'META_ORDER_WINDOW_MS=0';
      rows.push(await metaRun(server, graph, `Meta webhook → Send API, ${USERS} users × ${MESSAGES} (${label})`, window));
    } finally {
      server.kill('SIGTERM');
      await server.exited;
      await server.cleanup();
    }
  }
} finally {
  await graph.close();
}

console.log(`\nMeta channels: signed webhook → core → fake Graph API, loopback, server in its own process, SQLite state\n`);
console.table(rows);
const bad = rows.filter((r) => r.problems !== 'none' && !r.problems.startsWith('none ('));
console.log(
  bad.length
    ? `PROBLEMS: ${bad.map((r) => `${r.run}: ${r.problems}`).join('; ')}`
    : 'no message lost, none answered twice, nothing dropped',
);
process.exitCode = bad.length ? 1 : 0;
