import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Ticket } from '../../src/escalation/index.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { FaultApi } from '../requests/fault-api.js';
import { WAIT_MS } from '../helpers/wait.js';
import { fileRequest, until } from '../requests/drive.js';
import { ChatClient } from '../web/chat-client.js';

let t: TestApp;
let chat: ChatClient;

async function metrics(): Promise<string> {
  const res = await fetch(`${t.url}/metrics`);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return res.text();
}
/** The value of one sample line, e.g. value(m, 'thunder_messages_total{channel="web"}'). */
function value(text: string, sample: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line ? Number(line.slice(sample.length + 1)) : Number.NaN;
}

beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT_PER_MINUTE: '1000', REQUEST_RETRY_BASE_MS: '50' }, { listen: true });
  chat = new ChatClient(t.url as string);
});
afterAll(() => t.teardown());

describe('/metrics', () => {
  it('counts messages, answers by entry, fallbacks and latency from real conversations', async () => {
    const before = await metrics();
    const lv = await chat.session('lv');
    const en = await chat.session('en');
    await chat.say(lv, { text: 'Cik ilgi jūs glabājat manus datus?' });
    await chat.say(en, { text: 'Who is the data controller?' });
    await chat.say(en, { text: 'What is the price of bananas on Mars?' });

    const after = await metrics();
    const delta = (s: string) => value(after, s) - value(before, s);
    expect(delta('thunder_messages_total{channel="web"}')).toBe(3);
    expect(value(after, 'thunder_messages_total{channel="telegram"}')).toBe(0);
    expect(delta('thunder_answers_total{channel="web",result="answered"}')).toBe(2);
    expect(delta('thunder_answers_total{channel="web",result="fallback"}')).toBe(1);
    expect(delta('thunder_reply_seconds_count{channel="web"}')).toBe(3);
    expect(value(after, 'thunder_reply_seconds_bucket{le="+Inf",channel="web"}')).toBe(
      value(after, 'thunder_reply_seconds_count{channel="web"}'),
    );
    const entries = [...after.matchAll(/^thunder_answers_by_entry_total\{entry="([a-z0-9-]+)"\} (\d+)$/gm)];
    expect(entries.reduce((sum, m) => sum + Number(m[2]), 0)).toBe(2);
    expect(entries.map((m) => m[1])).toContain('controller');
    expect(after).toMatch(/^thunder_process_resident_memory_bytes \d+/m);
  });

  it('follows a rights request from created to submitted, and escalations open', async () => {
    await fileRequest(t.app.core, 'metrics-user');
    await until(async () => value(await metrics(), 'thunder_requests_total{outcome="submitted"}') === 1, WAIT_MS, 'submitted');
    const m = await metrics();
    expect(value(m, 'thunder_requests_total{outcome="created"}')).toBe(1);
    expect(value(m, 'thunder_requests_pending')).toBe(0);
    expect(value(m, 'thunder_requests_total{outcome="failed"}')).toBe(0);

    // Opening a ticket needs Slack; the gauge reads the shared ticket store, so tickets are stored directly.
    const { tickets } = t.app.escalation;
    const ticket = (id: string, status: Ticket['status']): Ticket => ({
      id,
      key: `web:${id}`,
      channel: 'web',
      chatId: id,
      lang: 'lv',
      status,
      createdAt: Date.now(),
      ackedAt: 0,
      left: false,
      posts: [],
      erased: false,
      turns: [],
    });
    await tickets.save(ticket('T-OPEN', 'open'));
    await tickets.save(ticket('T-CLAIMED', 'claimed'));
    await tickets.save(ticket('T-DONE', 'resolved'));
    expect(value(await metrics(), 'thunder_escalations_open')).toBe(2);
    await tickets.update('T-CLAIMED', (x) => void (x.status = 'resolved'));
    expect(value(await metrics(), 'thunder_escalations_open')).toBe(1);
  });

  it('shows a request as pending while the request API is down, and failed when it refuses one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'thunder-api-'));
    const api = await FaultApi.start(join(dir, 'api.sqlite'));
    const other = await startTestApp({ ...api.env(), REQUEST_RETRY_BASE_MS: '50', REQUEST_RETRY_MAX_MS: '200' }, { listen: true });
    const scrape = async () => (await fetch(`${other.url}/metrics`)).text();
    try {
      await api.down();
      await fileRequest(other.app.core, 'pending-user');
      await until(async () => value(await scrape(), 'thunder_requests_total{outcome="retried"}') >= 1, WAIT_MS, 'a retry');
      expect(value(await scrape(), 'thunder_requests_pending')).toBe(1);
      await api.up();
      await until(async () => value(await scrape(), 'thunder_requests_total{outcome="submitted"}') === 1, WAIT_MS, 'delivery');
      expect(value(await scrape(), 'thunder_requests_pending')).toBe(0);

      api.plan.push({ status: 400, body: { error: { code: 'validation_failed', message: 'no' } } });
      await fileRequest(other.app.core, 'refused-user');
      await until(async () => value(await scrape(), 'thunder_requests_total{outcome="failed"}') === 1, WAIT_MS, 'refusal');
      expect(value(await scrape(), 'thunder_requests_pending')).toBe(0);
    } finally {
      await other.teardown();
      await api.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('carries no personal data: only channels, results, entry ids and outcomes as labels', async () => {
    const labels = [...(await metrics()).matchAll(/\{([^}]*)\}/g)].flatMap((m) => (m[1] ?? '').split(',').map((kv) => kv.split('=')[0]));
    const allowed = [
      'channel',
      'result',
      'entry',
      'outcome',
      'le',
      'type',
      'kind',
      'space',
      'version',
      'major',
      'minor',
      'patch',
      'quantile',
    ];
    expect(labels.length).toBeGreaterThan(10);
    for (const label of labels) expect(allowed).toContain(label);
  });
});
