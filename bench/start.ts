/**
 * How long `npm start` takes to serve on an unchanged tree, beside the old start (type-check and
 * build every time, then node) measured in the same run. "Serving" means /healthz answers 200.
 *   npm run bench:start  [-- --runs 3]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT } from '../src/paths.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
const RUNS = Number(values.runs);

function freePort(): Promise<number> {
  return new Promise((done) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => done(port));
    });
  });
}

/** Seconds from spawning `command` until /healthz answers, then stops it. */
async function timeToServe(command: string): Promise<number> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'thunder-bench-start-'));
  const started = performance.now();
  const child = spawn('sh', ['-c', command], {
    cwd: ROOT,
    detached: true,
    stdio: 'ignore',
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      REDIS_URL: '',
      TELEGRAM_BOT_TOKEN: '',
      SLACK_BOT_TOKEN: '',
    },
  });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${command} exited with ${child.exitCode}`);
      const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return (performance.now() - started) / 1000;
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    if (child.exitCode === null) {
      process.kill(-child.pid!, 'SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rows: [string, number[]][] = [
  ['before: tsc build, then node (the old npm start)', []],
  ['npm start, unchanged tree', []],
];
await timeToServe('npm start --silent'); // builds once if anything changed, as `npm install` would have
for (let i = 0; i < RUNS; i++) {
  rows[0]![1].push(await timeToServe('npx tsc -p tsconfig.build.json && node dist/main.js'));
  rows[1]![1].push(await timeToServe('npm start --silent'));
}
console.log(`time to serve (/healthz 200), ${RUNS} runs each, median [min–max]`);
for (const [name, xs] of rows)
  console.log(`  ${name.padEnd(46)} ${median(xs).toFixed(1)} s  [${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)}]`);
