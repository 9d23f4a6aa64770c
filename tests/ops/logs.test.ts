import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/logger.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { until } from '../requests/drive.js';
import { WAIT_MS } from '../helpers/wait.js';
import { ChatClient } from '../web/chat-client.js';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, stream };
}

const EMAIL = 'janis.berzins@example.lv';
const PHONE = '+37120000001';
const NAME = 'Jānis Bērziņš';
const TEXT = 'mana slepenā ziņa';

describe('log redaction', () => {
  it('redacts personal fields at the top level and one level down', () => {
    const { lines, stream } = capture();
    const log = createLogger('info', stream);
    log.info({ text: TEXT, email: EMAIL, phone: PHONE, name: NAME, details: TEXT, channel: 'web' }, 'top');
    log.info({ user: { name: NAME, email: EMAIL, phone: PHONE }, msg: { text: TEXT }, subject: TEXT }, 'nested');
    expect(lines).toHaveLength(2);
    const all = lines.join('\n');
    for (const secret of [EMAIL, PHONE, NAME, TEXT]) expect(all).not.toContain(secret);
    const top = JSON.parse(lines[0] as string) as Record<string, unknown>;
    expect(top).toMatchObject({ text: '[redacted]', email: '[redacted]', phone: '[redacted]', name: '[redacted]', channel: 'web' });
    expect(JSON.parse(lines[1] as string)).toMatchObject({ user: { name: '[redacted]', email: '[redacted]', phone: '[redacted]' } });
  });

  describe('a conversation logged at trace level', () => {
    const { lines, stream } = capture();
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ LOG_LEVEL: 'trace' }, { listen: true, log: createLogger('trace', stream) });
    });
    afterAll(() => t.teardown());

    it('keeps message text, e-mails and phones out of every log line', async () => {
      const chat = new ChatClient(t.url as string);
      const sid = await chat.session('lv');
      await chat.say(sid, { text: `Mani sauc ${NAME}, mans e-pasts ${EMAIL}, tālrunis ${PHONE}. ${TEXT}` });
      await chat.say(sid, { text: EMAIL });
      await chat.say(sid, { button: 'cmd:start' });
      // A rights request carries a name, an e-mail and a phone to the request API, never to the logs.
      await chat.say(sid, { text: '/rights' });
      await chat.say(sid, { button: 'rq:right:access' });
      await chat.say(sid, { text: NAME });
      await chat.say(sid, { text: `${EMAIL} ${PHONE}` });
      await chat.say(sid, { text: TEXT });
      await chat.say(sid, { button: 'rq:confirm' });
      await until(() => lines.some((l) => l.includes('request accepted by the request API')), WAIT_MS, 'delivery');
      const all = lines.join('\n');
      for (const secret of [EMAIL, PHONE, NAME, TEXT, 'Bērziņš']) expect(all).not.toContain(secret);
    });
  });
});
