// Builds dist/ from src/. `node scripts/build.mjs` type-checks and emits (npm run build, npm install);
// `--if-stale` (npm start) emits without type-checking, and only when a source changed since the
// last build, so a start on an unchanged tree goes straight to node.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const STAMP = 'dist/.built';
const INPUTS = ['tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];

function newest(path) {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((max, name) => Math.max(max, newest(join(path, name))), stat.mtimeMs);
}

const ifStale = process.argv.includes('--if-stale');
if (ifStale && existsSync(STAMP) && statSync(STAMP).mtimeMs >= Math.max(newest('src'), ...INPUTS.map(newest))) process.exit(0);

// Stamped with the start time, so a file saved during the build makes the next start rebuild.
const started = new Date();
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const args = [tsc, '-p', 'tsconfig.build.json', ...(ifStale ? ['--noCheck'] : [])];
if (ifStale) process.stderr.write('Sources changed since the last build: compiling (without type-checking; npm test does that)…\n');
const { status } = spawnSync(process.execPath, args, { stdio: 'inherit' });
if (status !== 0) process.exit(status ?? 1);
writeFileSync(STAMP, '');
utimesSync(STAMP, started, started);
