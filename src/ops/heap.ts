import { setFlagsFromString } from 'node:v8';

/** Old space may grow to 1.5× what the last full GC kept alive (V8 lets it grow to up to 4×). */
const HEAP_GROWING_PERCENT = 50;

/**
 * Keeps the server's heap near what it holds alive. A chat message's short-lived objects that are
 * still in flight at two scavenges end up in old space; V8 collects them only when old space
 * reaches its limit, by default up to 4× the live heap (~170 MB over ~42 MB live under load), and
 * a server gone quiet allocates nothing to reach it, so RSS stayed ~1.5–2× its start for 30 s to
 * minutes after a burst (bench:web). At 1.5× a full GC comes more often under load (marking is
 * mostly concurrent; no throughput cost measured) and what is left after the load is small.
 * Read by V8 at every GC, so setting it at start-up takes effect; a value given on the command
 * line wins.
 */
export function boundHeapGrowth(execArgv: readonly string[] = process.execArgv): void {
  if (execArgv.some((a) => /^--heap[-_]growing[-_]percent/.test(a))) return;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
