import { startTestApp, type TestAppOptions } from './app.js';

/**
 * Entry point of a second app process (spawned by spawnTestApp): env and options come in as
 * JSON, one line `{"ready":true,...}` goes out once the services run; SIGTERM stops it cleanly.
 */
const env = JSON.parse(process.env.THUNDER_CHILD_ENV ?? '{}') as Record<string, string>;
const opts = JSON.parse(process.env.THUNDER_CHILD_OPTS ?? '{}') as TestAppOptions;
const t = await startTestApp(env, opts);
process.stdout.write(`${JSON.stringify({ ready: true, pid: process.pid, url: t.url ?? null })}\n`);
process.on('SIGTERM', () => {
  void t.teardown().then(() => process.exit(0));
});
