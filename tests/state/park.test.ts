import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { FakeSlack, SUPPORT_CHANNEL } from '../helpers/fake-slack.js';
import { tr } from '../helpers/locales.js';
import { sqliteRowsWith } from '../helpers/store.js';
import { until } from '../helpers/wait.js';
import { fileRequest, recordingSender } from '../requests/drive.js';
import { FaultApi } from '../requests/fault-api.js';

/** The request API refuses our requests (401) for longer than REQUEST_PARK_AFTER_MS. */

let dir: string;
let api: FaultApi;
let slack: FakeSlack;
let t: TestApp;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'thunder-park-'));
  api = await FaultApi.start(join(dir, 'api.sqlite'));
  slack = await FakeSlack.start();
  t = await startTestApp(
    {
      ...api.env(),
      ...slack.env(),
      WEB_CHAT: 'false',
      REQUEST_RETRY_BASE_MS: '50',
      REQUEST_RETRY_MAX_MS: '200',
      REQUEST_PARK_AFTER_MS: '1500',
      JOB_SCAN_MS: '100',
    },
    { listen: true },
  );
});

afterAll(async () => {
  await t?.teardown();
  await slack?.close();
  await api?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a request the API keeps refusing', () => {
  it('is retried for the park time, then parked as failed: staff told in the requests desk, the customer given the e-mail, the personal data gone', async () => {
    for (let i = 0; i < 500; i++) api.plan.push({ status: 401, body: { error: { code: 'unauthorized', message: 'bad token' } } });
    const pushed = recordingSender(t.app.core);
    const outbox = t.app.requests.outbox;
    const id = await fileRequest(t.app.core, 'parked');
    const item = await until(
      async () => {
        const it = await outbox.get(id);
        return it?.state === 'failed' && it.notified ? it : undefined;
      },
      20_000,
      'the request to be parked',
    );
    expect(api.postCount).toBeGreaterThan(2);
    expect(item.request).toBeUndefined();
    expect(item.rejection).toEqual({ status: 401, code: 'http_401' });
    const [msg] = pushed.get('chat-parked') ?? [];
    expect(msg?.text).toBe(tr('en', 'requests:parked', { right: tr('en', 'requests:right.erasure'), email: 'info@kilowats.lv' }));
    const staff = await slack.waitForCall(
      'chat.postMessage',
      (p) => p.channel === SUPPORT_CHANNEL && String(p.text).includes(id) && String(p.text).includes('401'),
    );
    expect(JSON.stringify(staff.payload)).not.toContain('Jana');
    // Nothing more is sent: the queue has no job left for it.
    const posts = api.postCount;
    await until(async () => (await t.app.queue.pending('request.')) === 0, 5000, 'no job left');
    expect(api.postCount).toBe(posts);
    // What is kept (id, type, status: no personal data) expires with the state TTL.
    const rows = await sqliteRowsWith(t.dataDir, id);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row.expires).toBeGreaterThan(Date.now());
  });
});
