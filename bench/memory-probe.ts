/**
 * Preloaded into a benchmarked server (`--expose-gc --import ./bench/memory-probe.ts`): answers
 * `{ probe: 'memory', id, gc }` on the IPC channel with process.memoryUsage() and process.cpuUsage(),
 * after a full GC when asked. Bench-only: the server itself has no such hook.
 */
const gc = (globalThis as { gc?: () => void }).gc;

process.on('message', (msg: { probe?: string; id?: number; gc?: boolean }) => {
  if (msg?.probe !== 'memory') return;
  if (msg.gc && gc) {
    // Two passes: the first runs finalizers (sqlite3 statements, Buffers) that free native memory.
    gc();
    gc();
  }
  process.send?.({ probe: 'memory', id: msg.id, usage: process.memoryUsage(), cpu: process.cpuUsage(), gc: Boolean(msg.gc && gc) });
});
// The channel must not keep the server alive on its own.
process.channel?.unref();
