import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropRedisPrefix, REDIS_URL, startTestApp, uniquePrefix, type TestApp } from '../helpers/app.js';
import { FakeGraph, messagingEvent, metaJson, pageBody, postWebhook, textOf } from '../helpers/fake-graph.js';

let graph: FakeGraph;
let a: TestApp;
let b: TestApp;
const prefix = uniquePrefix('meta');

beforeAll(async () => {
  graph = await FakeGraph.start();
  const env = { ...graph.env(), REDIS_URL };
  a = await startTestApp(env, { listen: true, storePrefix: prefix });
  b = await startTestApp(env, { listen: true, storePrefix: prefix });
});

afterAll(async () => {
  await a?.teardown();
  await b?.teardown();
  await graph?.close();
  await dropRedisPrefix(REDIS_URL, prefix);
});

describe('two instances on one Redis', () => {
  it('answer a delivery Meta sends to both at once exactly once, for every one of 20 users', async () => {
    const users = Array.from({ length: 20 }, (_, i) => `66${i}`);
    const bodies = users.map((psid) => metaJson(pageBody([messagingEvent(psid, 'Kur varu sūdzēties par datu apstrādi?')])));
    const statuses = await Promise.all(
      bodies.flatMap((raw) => [postWebhook(a.url!, raw), postWebhook(b.url!, raw)]).map(async (r) => (await r).status),
    );
    expect(statuses.every((s) => s === 200)).toBe(true);
    for (const psid of users) await graph.waitFor(psid);
    // A marker through each instance: each handles a chat in order, so a second answer would come before its marker's.
    for (const app of [a, b])
      await Promise.all(users.map((psid) => postWebhook(app.url!, metaJson(pageBody([messagingEvent(psid, 'palīdzība')])))));
    for (const psid of users) {
      const texts = (await graph.waitFor(psid, 3)).map((c) => textOf(c.payload));
      expect(texts.filter((x) => x.includes('Datu valsts inspekcij'))).toHaveLength(1);
    }
  });
});
