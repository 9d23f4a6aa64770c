import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { TestAppOptions } from './app.js';

export interface ChildApp {
  pid: number;
  url: string | undefined;
  /** SIGTERM and wait for a clean exit (or kill it after `timeout` ms). */
  stop(timeout?: number): Promise<void>;
}

const SCRIPT = fileURLToPath(new URL('./child-app.ts', import.meta.url));

/** Starts the whole app in another Node process (via tsx), for multi-instance tests. */
export async function spawnTestApp(
  env: Record<string, string>,
  opts: Omit<TestAppOptions, 'log'> = {},
  timeout = 20_000,
): Promise<ChildApp> {
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT], {
    env: { ...process.env, THUNDER_CHILD_ENV: JSON.stringify(env), THUNDER_CHILD_OPTS: JSON.stringify(opts) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const ready = await new Promise<{ pid: number; url: string | null }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`child app not ready in ${timeout} ms: ${stderr}`)), timeout);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`child app exited with ${code}: ${stderr}`));
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!line.startsWith('{"ready"')) return;
      clearTimeout(timer);
      resolve(JSON.parse(line) as { pid: number; url: string | null });
    });
  });
  return { pid: ready.pid, url: ready.url ?? undefined, stop: (ms) => stop(child, ms) };
}

function stop(child: ChildProcess, timeout = 10_000): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
