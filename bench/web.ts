/**
 * Web chat API under load: 100 concurrent visitors (each its own session) asking questions over
 * loopback against the real server in its own process. Baselines in the same run: /healthz at the
 * same concurrency (the HTTP stack alone) and a single visitor (latency without contention).
 * Fails if any request is dropped (non-2xx, error or timeout).
 *   npm run bench:web  [-- --seconds 10 --visitors 100 --redis redis://127.0.0.1:6379]
 */
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { loadKnowledge } from '../src/answers/knowledge.js';
import { spawnThunder } from '../tests/ops/spawn.js';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '10' }, visitors: { type: 'string', default: '100' }, redis: { type: 'string' } },
});
const SECONDS = Number(values.seconds);
const VISITORS = Number(values.visitors);

// Questions in both languages, as customers word them (the last, least canonical phrasing of each entry).
const kb = loadKnowledge();
const questions = [...kb.entries.values()].flatMap((e) => [e.questions.lv.at(-1) as string, e.questions.en.at(-1) as string]);

const STORE = values.redis ? 'Redis' : 'SQLite';
const server = await spawnThunder({
  RATE_LIMIT_PER_MINUTE: '1000000',
  WEB_SESSIONS_PER_MINUTE: '1000000',
  ...(values.redis && { REDIS_URL: values.redis, STORE_PREFIX: `bench-web-${Date.now().toString(36)}` }),
});

async function newSession(): Promise<string> {
  const res = await fetch(`${server.url}/api/chat/session`, { method: 'POST' });
  return ((await res.json()) as { sessionId: string }).sessionId;
}

async function rssMb(): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('thunder_process_resident_memory_bytes '));
  return Number(line?.split(' ')[1]) / 2 ** 20;
}

interface Row {
  name: string;
  connections: number;
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  dropped: number;
}

async function run(name: string, connections: number, opts: Partial<autocannon.Options>): Promise<Row> {
  const result = await autocannon({ url: server.url, connections, duration: SECONDS, ...opts });
  return {
    name,
    connections,
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    dropped: result.non2xx + result.errors + result.timeouts,
  };
}

/** Each connection is one visitor: it takes the next session id and keeps it. */
function chat(sessions: string[]): Partial<autocannon.Options> {
  let nextVisitor = 0;
  let nextQuestion = 0;
  return {
    initialContext: {},
    requests: [
      {
        method: 'POST',
        path: '/api/chat/messages',
        headers: { 'content-type': 'application/json' },
        setupRequest: (req, context: { sessionId?: string }) => {
          context.sessionId ??= sessions[nextVisitor++ % sessions.length];
          const text = questions[nextQuestion++ % questions.length];
          return { ...req, body: JSON.stringify({ sessionId: context.sessionId, text }) };
        },
      },
    ],
  };
}

try {
  const rssStart = await rssMb();
  const sessions = await Promise.all(Array.from({ length: VISITORS }, newSession));
  const rows = [
    await run('GET /healthz (HTTP stack baseline)', VISITORS, { requests: [{ method: 'GET', path: '/healthz' }] }),
    await run('chat, 1 visitor (baseline)', 1, chat(sessions.slice(0, 1))),
    await run(`chat, ${VISITORS} visitors`, VISITORS, chat(sessions)),
  ];
  const rssEnd = await rssMb();

  console.log(`\nWeb chat API, ${SECONDS} s per run, loopback, server in its own process, state in ${STORE}\n`);
  console.table(
    rows.map((r) => ({
      run: r.name,
      connections: r.connections,
      'req/s': r.rps,
      'p50 ms': r.p50,
      'p99 ms': r.p99,
      requests: r.requests,
      dropped: r.dropped,
    })),
  );
  const [health, single, load] = rows as [Row, Row, Row];
  console.log(
    `chat at ${VISITORS} visitors: ${load.rps} req/s (${((load.rps / health.rps) * 100).toFixed(1)} % of /healthz, ${(load.rps / single.rps).toFixed(1)}× one visitor)`,
  );
  console.log(`p99 ${load.p99} ms at ${VISITORS} visitors vs ${single.p99} ms for one`);
  console.log(
    `server RSS: ${rssStart.toFixed(0)} MB at start, ${rssEnd.toFixed(0)} MB after ${load.requests + single.requests} chat messages`,
  );
  const dropped = rows.reduce((n, r) => n + r.dropped, 0);
  console.log(dropped === 0 ? 'nothing dropped: every request got a 2xx' : `DROPPED ${dropped} requests`);
  process.exitCode = dropped === 0 ? 0 : 1;
} finally {
  server.kill('SIGTERM');
  await server.exited;
  await server.cleanup();
}
