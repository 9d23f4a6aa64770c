import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { FakeTelegram } from '../helpers/fake-telegram.js';
import { htmlText, tr } from '../helpers/locales.js';

const SECRET = 'webhook_Secret-42';
const PATH = '/telegram/hook';

let fake: FakeTelegram;
let t: TestApp;

beforeAll(async () => {
  fake = await FakeTelegram.start();
  t = await startTestApp({ ...fake.env(), TELEGRAM_WEBHOOK_URL: `https://bot.example.com${PATH}`, TELEGRAM_WEBHOOK_SECRET: SECRET });
});

afterAll(async () => {
  await t?.teardown();
  await fake?.close();
});

function post(body: string, secret?: string): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (secret !== undefined) headers['x-telegram-bot-api-secret-token'] = secret;
  return Promise.resolve(t.app.http.request(PATH, { method: 'POST', headers, body }));
}

describe('Telegram webhook mode', () => {
  it('registers the webhook with its secret and does not poll', async () => {
    const [call] = fake.callsOf('setWebhook');
    expect(call?.payload).toMatchObject({ url: `https://bot.example.com${PATH}`, secret_token: SECRET });
    expect(fake.callsOf('getUpdates')).toHaveLength(0);
  });

  it('handles an update with the right secret', async () => {
    const res = await post(JSON.stringify({ update_id: 1, ...fake.messageUpdate(501, { text: '/help' }, { lang: 'lv' }) }), SECRET);
    expect(res.status).toBe(200);
    const [m] = await fake.waitForMessages(501, 1);
    expect(htmlText(m!.text)).toBe(tr('lv', 'conversation:help'));
  });

  it('refuses forged updates with 401 and does nothing', async () => {
    const sentBefore = fake.callsOf('sendMessage').length;
    for (const secret of [undefined, 'wrong', `${SECRET}x`, '']) {
      const res = await post(JSON.stringify({ update_id: 2, ...fake.messageUpdate(502, { text: '/start' }, { lang: 'en' }) }), secret);
      expect(res.status).toBe(401);
    }
    await new Promise((r) => setTimeout(r, 100));
    expect(fake.callsOf('sendMessage')).toHaveLength(sentBefore);
    expect(await t.app.core.sessions.get('telegram:502')).toBeUndefined();
  });

  it('answers 400 to a body that is not JSON, and keeps serving', async () => {
    expect((await post('{not json', SECRET)).status).toBe(400);
    const res = await post(JSON.stringify({ update_id: 3, ...fake.messageUpdate(503, { text: '/help' }, { lang: 'en' }) }), SECRET);
    expect(res.status).toBe(200);
    expect(htmlText((await fake.waitForMessages(503, 1))[0]!.text)).toBe(tr('en', 'conversation:help'));
  });
});

describe('Telegram webhook through a real server', () => {
  it('the fake Bot API delivers pushed updates to a loopback webhook with the secret', async () => {
    const fake2 = await FakeTelegram.start();
    // Telegram calls the public https URL; here the fake calls the app's real local server on the same path.
    const served = await startTestApp(
      { ...fake2.env(), TELEGRAM_WEBHOOK_URL: 'https://bot.example.com/tg', TELEGRAM_WEBHOOK_SECRET: SECRET },
      { listen: true },
    );
    try {
      fake2.webhook = { url: `${served.url}/tg`, secret_token: SECRET };
      fake2.sendCommand(601, '/start', { lang: 'en' });
      const [m] = await fake2.waitForMessages(601, 1);
      expect(htmlText(m!.text)).toContain(tr('en', 'conversation:start'));
      fake2.webhook = { url: `${served.url}/tg`, secret_token: 'forged' };
      fake2.sendCommand(602, '/start', { lang: 'en' });
      await new Promise((r) => setTimeout(r, 200));
      expect(fake2.messagesOf(602)).toHaveLength(0);
    } finally {
      await served.teardown();
      await fake2.close();
    }
  });
});
