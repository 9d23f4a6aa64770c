import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../requests/drive.js';
import { spawnThunder, type Instance } from '../ops/spawn.js';
import { ChatClient, type WebReply } from './chat-client.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const text = (replies: WebReply[]) => replies.map((r) => r.text).join('\n');

let a: Instance;
let b: Instance;

beforeAll(async () => {
  const env = { REDIS_URL, STORE_PREFIX: `test-web-multi-${process.pid}-${Date.now().toString(36)}`, RATE_LIMIT_PER_MINUTE: '1000' };
  [a, b] = await Promise.all([spawnThunder(env), spawnThunder(env)]);
}, 40_000);
afterAll(async () => {
  await Promise.all([a?.cleanup(), b?.cleanup()]);
});

describe('two bot processes on one Redis', () => {
  it('carry one web-chat conversation across alternating requests', async () => {
    expect(a.url).not.toBe(b.url);
    // A load balancer without sticky sessions: each request goes to the other instance.
    const lb = [new ChatClient(a.url), new ChatClient(b.url)];
    let turn = 0;
    const next = () => lb[turn++ % 2] as ChatClient;

    const sid = await next().session('en');
    expect(text(await next().say(sid, { text: '/rights', locale: 'en' }))).toContain('Which right would you like to use?');
    expect(text(await next().say(sid, { button: 'rq:right:access' }))).toContain('What are your first and last name?');
    expect(text(await next().say(sid, { text: 'Jana Bērziņa' }))).toContain('How can the company reach you');
    expect(text(await next().say(sid, { text: 'jana@example.lv' }))).toContain('Anything the company should know');
    const summary = await next().say(sid, { button: 'rq:skip' });
    // The name typed on one instance and the e-mail on the other are both in the draft.
    expect(text(summary)).toContain('Name: Jana Bērziņa');
    expect(text(summary)).toContain('E-mail: jana@example.lv');
    expect(text(await next().say(sid, { button: 'rq:confirm' }))).toContain('your request is recorded');

    // The reference is pushed by whichever instance delivered it; both serve it from Redis.
    const pushedA = await until(
      async () => (await lb[0]?.pushed(sid))?.find((m) => text(m.replies).includes('Reference:')),
      10_000,
      'reference',
    );
    const pushedB = await lb[1]?.pushed(sid);
    expect(pushedB?.map((m) => m.id)).toContain(pushedA.id);
    expect(text(pushedA.replies)).toContain('SIA KILOWATS Latvija has received your request: Access to my data.');
  });
});
