/**
 * Web chat API under load: 100 concurrent visitors (each its own session) asking questions over
 * loopback against the real server in its own process. Baselines in the same run: /healthz at the
 * same concurrency (the HTTP stack alone) and a single visitor (latency without contention).
 * Fails if any request is dropped (non-2xx, error or timeout). The server's memory
 * (process.memoryUsage() through bench/memory-probe.ts) at start, at its peak under load, right
 * after the load and after a settle period, the first and last after a forced full GC.
 *   npm run bench:web  [-- --seconds 10 --visitors 100 --settle 45 --redis redis://127.0.0.1:6379]
 */
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { loadKnowledge } from '../src/answers/knowledge.js';
import { spawnThunder } from '../tests/ops/spawn.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    visitors: { type: 'string', default: '100' },
    settle: { type: 'string', default: '45' },
    redis: { type: 'string' },
    /** Extra flags for the server, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof". */
    'node-args': { type: 'string', default: '' },
  },
});
const SECONDS = Number(values.seconds);
const VISITORS = Number(values.visitors);
const SETTLE_S = Number(values.settle);

// Questions in both languages, as customers word them (the last, least canonical phrasing of each entry).
const kb = loadKnowledge();
const questions = [...kb.entries.values()].flatMap((e) => [e.questions.lv.at(-1) as string, e.questions.en.at(-1) as string]);

const STORE = values.redis ? 'Redis' : 'SQLite';
const server = await spawnThunder(
  {
    RATE_LIMIT_PER_MINUTE: '1000000',
    WEB_SESSIONS_PER_MINUTE: '1000000',
    ...(values.redis && { REDIS_URL: values.redis, STORE_PREFIX: `bench-web-${Date.now().toString(36)}` }),
  },
  undefined,
  ['--expose-gc', '--import', './bench/memory-probe.ts', ...values['node-args'].split(' ').filter(Boolean)],
);

async function newSession(): Promise<string> {
  const res = await fetch(`${server.url}/api/chat/session`, { method: 'POST' });
  return ((await res.json()) as { sessionId: string }).sessionId;
}

interface Probe {
  usage: NodeJS.MemoryUsage;
  cpu: NodeJS.CpuUsage;
}
let probes = 0;
/** The server's process.memoryUsage() and cpuUsage(), after a full GC when `gc`. */
function probe(gc = false): Promise<Probe> {
  const id = ++probes;
  return new Promise((resolve, reject) => {
    const onMessage = (msg: Probe & { probe?: string; id: number; gc: boolean }) => {
      if (msg?.probe !== 'memory' || msg.id !== id) return;
      server.child.off('message', onMessage);
      if (gc && !msg.gc) reject(new Error('the server has no gc(): run it with --expose-gc'));
      else resolve(msg);
    };
    server.child.on('message', onMessage);
    server.child.send({ probe: 'memory', id, gc });
  });
}
const memory = async (gc = false) => (await probe(gc)).usage;

/** The highest RSS seen while the runs go (sampled every 250 ms, no GC), with the rest of that sample. */
function watchPeak(): { stop(): Promise<NodeJS.MemoryUsage> } {
  let peak: NodeJS.MemoryUsage | undefined;
  let sampling = Promise.resolve();
  const timer = setInterval(() => {
    sampling = sampling.then(async () => {
      const m = await memory();
      if (!peak || m.rss > peak.rss) peak = m;
    });
  }, 250);
  return {
    async stop() {
      clearInterval(timer);
      await sampling;
      return peak ?? memory();
    },
  };
}

interface Row {
  name: string;
  connections: number;
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  dropped: number;
  /** Server CPU time (user + system, all its threads) per request. */
  cpuUs: number;
}

async function run(name: string, connections: number, opts: Partial<autocannon.Options>): Promise<Row> {
  const before = (await probe()).cpu;
  const result = await autocannon({ url: server.url, connections, duration: SECONDS, ...opts });
  const cpu = (await probe()).cpu;
  return {
    cpuUs: Math.round((cpu.user - before.user + cpu.system - before.system) / result.requests.total),
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
  const start = await memory(true);
  const peakWatch = watchPeak();
  const sessions = await Promise.all(Array.from({ length: VISITORS }, newSession));
  const rows = [
    await run('GET /healthz (HTTP stack baseline)', VISITORS, { requests: [{ method: 'GET', path: '/healthz' }] }),
    await run('chat, 1 visitor (baseline)', 1, chat(sessions.slice(0, 1))),
    await run(`chat, ${VISITORS} visitors`, VISITORS, chat(sessions)),
  ];
  const peak = await peakWatch.stop();
  const after = await memory();
  // Left alone (no forced GC), when is RSS back within a quarter of its start?
  let backAfterS: number | undefined;
  for (let s = 1; s <= SETTLE_S; s++) {
    await new Promise((r) => setTimeout(r, 1000));
    if (backAfterS === undefined && (await memory()).rss <= start.rss * 1.25) backAfterS = s;
  }
  const settledNoGc = await memory();
  const settled = await memory(true);

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
      'server CPU µs/req': r.cpuUs,
    })),
  );
  const [health, single, load] = rows as [Row, Row, Row];
  console.log(
    `chat at ${VISITORS} visitors: ${load.rps} req/s (${((load.rps / health.rps) * 100).toFixed(1)} % of /healthz, ${(load.rps / single.rps).toFixed(1)}× one visitor)`,
  );
  console.log(`p99 ${load.p99} ms at ${VISITORS} visitors vs ${single.p99} ms for one`);
  const mb = (n: number) => Math.round(n / 2 ** 20);
  console.log(`\nserver memory (MB) over ${load.requests + single.requests} chat messages; "GC": after a forced full GC`);
  console.table(
    (
      [
        ['start (GC)', start],
        ['peak under load', peak],
        ['right after the load', after],
        [`after ${SETTLE_S} s settle`, settledNoGc],
        [`after ${SETTLE_S} s settle, then GC`, settled],
      ] as const
    ).map(([when, m]) => ({
      when,
      rss: mb(m.rss),
      heapTotal: mb(m.heapTotal),
      heapUsed: mb(m.heapUsed),
      external: mb(m.external),
      arrayBuffers: mb(m.arrayBuffers),
      'rss − heapTotal − external': mb(m.rss - m.heapTotal - m.external),
    })),
  );
  console.log(
    `RSS without a forced GC: ${mb(after.rss)} MB right after the load, ${mb(settledNoGc.rss)} MB (${(settledNoGc.rss / start.rss).toFixed(2)}× its start) after ${SETTLE_S} s; ` +
      (backAfterS === undefined
        ? `not back within 1.25× its start in ${SETTLE_S} s`
        : `back within 1.25× its start ${backAfterS} s after the load`),
  );
  const dropped = rows.reduce((n, r) => n + r.dropped, 0);
  console.log(dropped === 0 ? 'nothing dropped: every request got a 2xx' : `DROPPED ${dropped} requests`);
  process.exitCode = dropped === 0 ? 0 : 1;
} finally {
  server.kill('SIGTERM');
  await server.exited;
  await server.cleanup();
}
