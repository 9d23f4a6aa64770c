import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../../src/paths.js';

export interface Instance {
  child: ChildProcess;
  url: string;
  /** Every JSON log line so far. */
  logs: Record<string, unknown>[];
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): void;
  /** Kills it if still running and removes its temp data dir. */
  cleanup(): Promise<void>;
}

/** Starts the real `src/main.ts` in its own process (tsx), on a free port, and waits until it serves. */
export async function spawnThunder(
  env: Record<string, string> = {},
  startTimeoutMs = 20_000,
  /** Extra node flags, e.g. a bench's preload; with any, the child gets an IPC channel too. */
  nodeArgs: string[] = [],
): Promise<Instance> {
  const dataDir = mkdtempSync(join(tmpdir(), 'thunder-proc-'));
  const child = spawn(process.execPath, ['--import', 'tsx', ...nodeArgs, 'src/main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      HOST: '127.0.0.1',
      PORT: '0',
      REQUEST_API_PORT: '0',
      DATA_DIR: dataDir,
      ...env,
    },
    stdio: nodeArgs.length ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  const started = new Promise<string>((resolve, reject) => {
    let buffer = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        try {
          const entry = JSON.parse(line) as Record<string, unknown>;
          logs.push(entry);
          if (typeof entry.port === 'number' && String(entry.msg).startsWith('Thunder is running')) {
            resolve(`http://127.0.0.1:${entry.port}`);
          }
        } catch {
          stderr += `${line}\n`;
        }
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    void exited.then((code) => reject(new Error(`thunder exited (${code}) before serving:\n${stderr}`)));
    setTimeout(() => reject(new Error(`thunder did not start in ${startTimeoutMs / 1000} s:\n${stderr}`)), startTimeoutMs).unref();
  });
  // the embedded stand-in request API keeps its copy beside DATA_DIR
  const removeData = () => {
    for (const d of [dataDir, `${dataDir}-request-api`]) rmSync(d, { recursive: true, force: true });
  };
  const url = await started.catch(async (err: unknown) => {
    // Never leave a half-started server behind.
    if (child.exitCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    removeData();
    throw err;
  });
  return {
    child,
    url,
    logs,
    exited,
    kill: (signal = 'SIGTERM') => void child.kill(signal),
    async cleanup() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
      removeData();
    },
  };
}
