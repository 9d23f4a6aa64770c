// Builds dist/ from src/. `node scripts/build.mjs` type-checks and emits (npm run build, npm install).
// `buildIfStale()` (npm start, through scripts/start.mjs) emits without type-checking, and only when
// a source changed since the last build, so a start on an unchanged tree goes straight to node.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const STAMP = join(ROOT, 'dist', '.built');
const INPUTS = ['src', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'].map((p) => join(ROOT, p));

function newest(path) {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((max, name) => Math.max(max, newest(join(path, name))), stat.mtimeMs);
}

/** Runs tsc; stamped with the start time, so a file saved during the build makes the next start rebuild. */
function compile(check) {
  const started = new Date();
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const args = [tsc, '-p', join(ROOT, 'tsconfig.build.json'), ...(check ? [] : ['--noCheck'])];
  const { status } = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: ROOT });
  if (status !== 0) process.exit(status ?? 1);
  writeFileSync(STAMP, '');
  utimesSync(STAMP, started, started);
}

export function buildIfStale() {
  if (existsSync(STAMP) && statSync(STAMP).mtimeMs >= Math.max(...INPUTS.map(newest))) return;
  process.stderr.write('Sources changed since the last build: compiling (without type-checking; npm test does that)…\n');
  compile(false);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) compile(true);
