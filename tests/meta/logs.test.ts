import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/logger.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { FakeGraph, messagingEvent, metaJson, pageBody, postWebhook, whatsappBody, waText } from '../helpers/fake-graph.js';
import { until } from '../helpers/wait.js';

const lines: string[] = [];
const stream = new Writable({
  write(chunk: Buffer, _enc, done) {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  },
});
const SECRET = 'mana slepenā ziņa Nr. 4471';
const PSID = '7799001122';
const PHONE = '37129998877';

let graph: FakeGraph;
let t: TestApp;

beforeAll(async () => {
  graph = await FakeGraph.start();
  t = await startTestApp(
    { ...graph.env(), LOG_LEVEL: 'trace', RELAY_RETRY_BASE_MS: '20' },
    { listen: true, log: createLogger('trace', stream) },
  );
});

afterAll(async () => {
  await t?.teardown();
  await graph?.close();
});

describe('Meta logs', () => {
  it('name unknown event kinds and Graph error codes, never the text, the PSID or the phone number', async () => {
    graph.failNext(1, { status: 400, code: 100, to: PSID });
    const unknown = { sender: { id: PSID }, recipient: { id: '1' }, timestamp: Date.now(), brand_new_event: { text: SECRET } };
    await postWebhook(t.url!, metaJson(pageBody([messagingEvent(PSID, SECRET), unknown])));
    graph.failNext(1, { status: 400, code: 131026, to: PHONE });
    await postWebhook(t.url!, metaJson(whatsappBody(waText(SECRET), { phone: PHONE })));
    await graph.waitFor(PSID);
    await graph.waitFor(PHONE);
    await until(async () => lines.some((l) => l.includes('not retried')));
    const all = lines.join('\n');
    expect(lines.find((l) => l.includes('events of unknown kinds skipped'))).toContain('"brand_new_event":1');
    expect(lines.find((l) => l.includes('not retried'))).toContain('"code":100');
    for (const secret of [SECRET, PSID, PHONE]) expect(all).not.toContain(secret);
  });
});
