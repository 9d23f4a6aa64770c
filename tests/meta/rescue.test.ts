import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { REDIS_URL, uniquePrefix } from '../helpers/app.js';
import { FakeGraph, messagingEvent, metaJson, pageBody, postWebhook, textOf } from '../helpers/fake-graph.js';
import { redisKeysWith } from '../helpers/store.js';
import { until } from '../helpers/wait.js';
import { spawnThunder, type Instance } from '../ops/spawn.js';

/**
 * A message Meta was told was received (200) is answered even when the instance that took it is
 * killed before answering: it was stored first, and another instance answers it.
 */
let graph: FakeGraph;
const instances: Instance[] = [];

beforeAll(async () => {
  graph = await FakeGraph.start();
});
afterEach(async () => {
  await Promise.all(instances.splice(0).map((i) => i.cleanup()));
});
afterAll(async () => {
  await graph?.close();
});

async function start(env: Record<string, string>): Promise<Instance> {
  const i = await spawnThunder({ ...graph.env(), JOB_LEASE_MS: '1500', JOB_SCAN_MS: '200', META_RESCUE_MS: '2000', ...env });
  instances.push(i);
  return i;
}

describe('Meta: a received message survives a SIGKILL', () => {
  it('is answered by the other instance when the one that acknowledged it dies mid-answer', async () => {
    const env = { REDIS_URL, STORE_PREFIX: uniquePrefix('rescue') };
    const [a, b] = [await start(env), await start(env)];
    const psid = '7700113';
    graph.holdNext(psid);
    const res = await postWebhook(a.url, metaJson(pageBody([messagingEvent(psid, 'Cik ilgi jūs glabājat manus datus?')])));
    expect(res.status).toBe(200);
    // A is sending the answer, and hangs there; then it dies.
    await graph.waitFor(psid, 1);
    a.kill('SIGKILL');
    await a.exited;

    const calls = await graph.waitFor(psid, 2, 30_000);
    expect(textOf(calls[1]!.payload)).toBe(textOf(calls[0]!.payload));
    expect(textOf(calls[1]!.payload).length).toBeGreaterThan(20);
    // B answered it once: no third copy after B's own scans.
    await postWebhook(b.url, metaJson(pageBody([messagingEvent(psid, 'paldies')])));
    const after = await graph.waitFor(psid, 3, 30_000);
    expect(after.filter((c) => textOf(c.payload) === textOf(calls[0]!.payload))).toHaveLength(2);
  }, 90_000);

  it('with one instance, answers once and keeps no copy of the message once answered', async () => {
    const prefix = uniquePrefix('rescue');
    const a = await start({ REDIS_URL, STORE_PREFIX: prefix });
    const psid = '7700114';
    const question = 'Kam jūs nododat manus datus?';
    await postWebhook(a.url, metaJson(pageBody([messagingEvent(psid, question)])));
    await graph.waitFor(psid, 1);
    // The session's history keeps the turn (until /forget or its TTL); the stored copy of the message is gone.
    await until(
      async () => {
        const keys = await redisKeysWith(REDIS_URL, prefix, question);
        return keys.every((k) => k.includes('-session:')) ? true : undefined;
      },
      10_000,
      'the stored message to be dropped',
    );
    // Past the rescue time and a few scans: still one answer.
    await new Promise((r) => setTimeout(r, 3_000));
    await postWebhook(a.url, metaJson(pageBody([messagingEvent(psid, 'paldies')])));
    const calls = await graph.waitFor(psid, 2, 30_000);
    expect(calls).toHaveLength(2);
  }, 90_000);
});
