/**
 * Slack HTTP endpoint under load: signed `/privacy <question>` slash commands to POST /slack/events
 * of the real server in its own process (fake Slack Web API in this one). Each must be answered in
 * the ack, within Slack's 3 s. Baselines in the same run: signed url_verification (signature check
 * and routing only) and a single connection; forged requests must all get 401.
 *   npm run bench:slack  [-- --seconds 10 --connections 50]
 */
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { loadKnowledge } from '../src/answers/knowledge.js';
import { commandBody, FakeSlack, sign } from '../tests/helpers/fake-slack.js';
import { spawnThunder } from '../tests/ops/spawn.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '10' }, connections: { type: 'string', default: '50' } } });
const SECONDS = Number(values.seconds);
const CONNECTIONS = Number(values.connections);
const FORM = 'application/x-www-form-urlencoded';

const kb = loadKnowledge();
const questions = [...kb.entries.values()].flatMap((e) => [e.questions.lv.at(-1) as string, e.questions.en.at(-1) as string]);

const slack = await FakeSlack.start();
const server = await spawnThunder({ ...slack.env(), WEB_CHAT: 'false', RATE_LIMIT_PER_MINUTE: '1000000' });

/** A request signed at send time, as Slack signs it. */
function signed(contentType: string, body: () => string, secret?: string): Partial<autocannon.Options> {
  return {
    requests: [
      {
        method: 'POST',
        path: '/slack/events',
        setupRequest: (req) => {
          const raw = body();
          const ts = Math.floor(Date.now() / 1000);
          return {
            ...req,
            body: raw,
            headers: { 'content-type': contentType, 'x-slack-request-timestamp': String(ts), 'x-slack-signature': sign(raw, ts, secret) },
          };
        },
      },
    ],
  };
}

let next = 0;
const question = () => commandBody('/privacy', questions[next++ % questions.length]!);
const challenge = () => JSON.stringify({ type: 'url_verification', challenge: 'c', token: 't' });

interface Row {
  run: string;
  connections: number;
  'req/s': number;
  'p50 ms': number;
  'p99 ms': number;
  'max ms': number;
  requests: number;
  unexpected: number;
}

async function run(name: string, connections: number, opts: Partial<autocannon.Options>, expected: number): Promise<Row> {
  let unexpected = 0;
  const result = await autocannon({
    url: server.url,
    connections,
    duration: SECONDS,
    ...opts,
    setupClient: (client) => client.on('response', (status: number) => void (status !== expected && unexpected++)),
  });
  return {
    run: name,
    connections,
    'req/s': Math.round(result.requests.average),
    'p50 ms': result.latency.p50,
    'p99 ms': result.latency.p99,
    'max ms': result.latency.max,
    requests: result.requests.total,
    unexpected: unexpected + result.errors + result.timeouts,
  };
}

try {
  const rows = [
    await run('url_verification (signature check baseline)', CONNECTIONS, signed('application/json', challenge), 200),
    await run('/privacy question, 1 connection (baseline)', 1, signed(FORM, question), 200),
    await run(`/privacy question, ${CONNECTIONS} connections`, CONNECTIONS, signed(FORM, question), 200),
    await run(`forged /privacy, ${CONNECTIONS} connections`, CONNECTIONS, signed(FORM, question, 'wrong-secret'), 401),
  ];
  console.log(`\nPOST /slack/events, ${SECONDS} s per run, loopback, server in its own process (state in SQLite)\n`);
  console.table(rows);
  const [base, single, load] = rows as [Row, Row, Row, Row];
  console.log(
    `answers at ${CONNECTIONS} connections: ${load['req/s']} req/s (${((load['req/s'] / base['req/s']) * 100).toFixed(1)} % of signature-only, ${(load['req/s'] / single['req/s']).toFixed(1)}× one connection)`,
  );
  console.log(`p99 ${load['p99 ms']} ms, max ${load['max ms']} ms (Slack's limit: 3000 ms)`);
  const webApiCalls = slack.calls.filter((c) => c.method.startsWith('chat.')).length;
  console.log(`Web API chat.* calls during the run: ${webApiCalls} (answers travel in the ack)`);
  const bad = rows.reduce((n, r) => n + r.unexpected, 0);
  const late = load['max ms'] >= 3000;
  console.log(
    bad === 0 && !late
      ? 'every request got the expected status in time'
      : `UNEXPECTED ${bad} responses${late ? ', some later than 3 s' : ''}`,
  );
  process.exitCode = bad === 0 && !late ? 0 : 1;
} finally {
  server.kill('SIGTERM');
  await server.exited;
  await server.cleanup();
  await slack.close();
}
