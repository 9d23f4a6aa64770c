import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/logger.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { recordingSender, say, until } from './drive.js';

/** With no REQUEST_API_URL, Thunder runs the stand-in itself; and request contents never reach a log line. */

const lines: string[] = [];
const sink = new Writable({
  write(chunk: Buffer, _enc, done) {
    lines.push(...chunk.toString().split('\n').filter(Boolean));
    done();
  },
});
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ WEB_CHAT: 'false', REQUEST_API_TOKEN: 'embedded-token-1' }, { log: createLogger('debug', sink) });
});
afterAll(() => t?.teardown());

describe('embedded stand-in request API', () => {
  it('is started on loopback, announced in the log, and keeps requests beside DATA_DIR, not in it', async () => {
    const announced = lines.map((l) => JSON.parse(l)).find((l) => String(l.msg).includes('REQUEST_API_URL is unset'));
    expect(announced?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(t.app.requests!.apiUrl()).toBe(announced.url);
    expect(existsSync(join(`${t.dataDir}-request-api`, 'request-api.sqlite'))).toBe(true);
    expect(existsSync(join(t.dataDir, 'request-api.sqlite'))).toBe(false);

    const pushed = recordingSender(t.app.core);
    const user = 'embedded-user';
    await say(t.app.core, user, { text: 'I want you to delete my data' });
    await say(t.app.core, user, { text: 'Kārlis Zariņš' });
    await say(t.app.core, user, { text: 'karlis.zarins@example.lv 29876543' });
    await say(t.app.core, user, { text: 'Account from Liepāja office, contract 2019' });
    await say(t.app.core, user, { button: 'rq:confirm' });
    const [msg] = await until(() => pushed.get(`chat-${user}`));
    expect(msg?.text).toMatch(/KW-\d{6}-[0-9A-Z]{6}/);
    const ref = /KW-\d{6}-[0-9A-Z]{6}/.exec(msg!.text)![0];
    const res = await fetch(`${t.app.requests!.apiUrl()}/v1/requests/${ref}`, { headers: { authorization: 'Bearer embedded-token-1' } });
    expect(await res.json()).toMatchObject({ id: ref, type: 'erasure', status: 'received' });

    const log = lines.join('\n');
    for (const secret of ['Kārlis', 'Zariņš', 'karlis', '29876543', 'Liepāja', 'delete my data', user]) expect(log).not.toContain(secret);
    const id = (await t.app.core.sessions.get(`web:${user}`))!.requestIds[0]!;
    expect(lines.filter((l) => l.includes(id)).length).toBeGreaterThanOrEqual(2);
  });
});
