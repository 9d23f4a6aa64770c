import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Bot } from 'grammy';
import { autoRetry } from '@grammyjs/auto-retry';
import { FakeTelegram } from '../helpers/fake-telegram.js';

// The fake Bot API itself, driven by a bare grammY bot: the other tests rely on it behaving like Telegram.
describe('fake Telegram Bot API', () => {
  let fake: FakeTelegram;
  let bot: Bot;

  beforeEach(async () => {
    fake = await FakeTelegram.start();
    bot = new Bot(fake.token, { client: { apiRoot: fake.apiRoot } });
    bot.api.config.use(autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: 5 }));
    bot.on('message:text', (ctx) => ctx.reply(`echo ${ctx.message.text}`));
    bot.on('callback_query:data', async (ctx) => {
      await ctx.answerCallbackQuery();
      await ctx.reply(`pressed ${ctx.callbackQuery.data}`);
    });
  });

  afterEach(async () => {
    if (bot.isRunning()) await bot.stop();
    await fake.close();
  });

  it('serves getMe, long-polls updates and records replies', async () => {
    void bot.start({ timeout: 1 });
    fake.sendText(7, 'hello');
    fake.sendText(7, 'again');
    const msgs = await fake.waitForMessages(7, 2);
    expect(msgs.map((m) => m.text)).toEqual(['echo hello', 'echo again']);
    expect(fake.callsOf('getMe')).toHaveLength(1);
    expect(fake.callsOf('deleteWebhook')).toHaveLength(1);
    fake.pressButton(7, 'a:x');
    expect((await fake.nextMessages(7))[0]!.text).toBe('pressed a:x');
    expect(fake.callsOf('answerCallbackQuery')).toHaveLength(1);
  });

  it('never hands out an update twice once confirmed', async () => {
    void bot.start({ timeout: 1 });
    for (let i = 0; i < 30; i++) fake.sendText(8, `m${i}`);
    await fake.waitForMessages(8, 30);
    await new Promise((r) => setTimeout(r, 100));
    expect(fake.messagesOf(8)).toHaveLength(30);
    expect(fake.pending).toBe(0);
  });

  it('fails the next calls with 429 retry_after, and auto-retry gets through', async () => {
    fake.failNext(2, { status: 429, retryAfter: 1, method: 'sendMessage' });
    void bot.start({ timeout: 1 });
    fake.sendText(9, 'x');
    const [msg] = await fake.waitForMessages(9, 1, 8000);
    expect(msg!.text).toBe('echo x');
    expect(fake.callsOf('sendMessage')).toHaveLength(3);
    const gap = fake.callsOf('sendMessage')[2]!.at - fake.callsOf('sendMessage')[0]!.at;
    expect(gap).toBeGreaterThanOrEqual(1900);
  });

  it('fails the next call with a 5xx, and auto-retry backs off and gets through', async () => {
    fake.failNext(1, { status: 502, method: 'sendMessage' });
    void bot.start({ timeout: 1 });
    fake.sendText(10, 'y');
    const [msg] = await fake.waitForMessages(10, 1, 10_000);
    expect(msg!.text).toBe('echo y');
    expect(fake.callsOf('sendMessage')).toHaveLength(2);
  });
});
