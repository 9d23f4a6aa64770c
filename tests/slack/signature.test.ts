import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBody } from '../../src/channels/slack/receiver.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { commandBody, eventBody, FakeSlack, postSigned, sign } from '../helpers/fake-slack.js';

let slack: FakeSlack;
let t: TestApp;
let url: string;

const FORM = 'application/x-www-form-urlencoded';
const dm = (text: string) =>
  eventBody({ type: 'message', channel_type: 'im', channel: 'D0STAFF', user: 'U0STAFF', text, ts: '1764000100.000100' });

beforeAll(async () => {
  slack = await FakeSlack.start();
  t = await startTestApp({ ...slack.env(), WEB_CHAT: 'false' }, { listen: true });
  url = t.url!;
});

afterAll(async () => {
  await t?.teardown();
  await slack?.close();
});

/** Lets any wrongly started processing reach the fake before we look. */
const settle = () => new Promise((r) => setTimeout(r, 300));

describe('POST /slack/events refuses forged, replayed and malformed requests without side effects', () => {
  it('forged signature → 401, no Web API call', async () => {
    const body = dm('Kādi dati tiek vākti?');
    const now = Math.floor(Date.now() / 1000);
    const responses = await Promise.all([
      postSigned(url, body, { secret: 'not-the-secret' }),
      postSigned(url, body, { signature: `v0=${'0'.repeat(64)}` }),
      postSigned(url, body, { signature: sign(body, now).replace('v0=', 'v1=') }),
      // Signed for another body: the signature covers every byte.
      postSigned(url, body, { signature: sign(dm('something else'), now), timestamp: now }),
      fetch(`${url}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }),
    ]);
    expect(responses.map((r) => r.status)).toEqual([401, 401, 401, 401, 401]);
    await settle();
    expect(slack.calls).toEqual([]);
  });

  it('replayed (stale) or future timestamp → 401, even with a valid signature', async () => {
    const body = commandBody('/privacy', 'kādi dati tiek vākti');
    const stale = Math.floor(Date.now() / 1000) - 6 * 60;
    const future = Math.floor(Date.now() / 1000) + 6 * 60;
    const a = await postSigned(url, body, { contentType: FORM, timestamp: stale });
    const b = await postSigned(url, body, { contentType: FORM, timestamp: future });
    expect([a.status, b.status]).toEqual([401, 401]);
    expect(await a.text()).not.toContain('>');
    await settle();
    expect(slack.calls).toEqual([]);
  });

  it('malformed payloads → 400, nothing processed', async () => {
    const bodies: [string, string][] = [
      ['{"type":"event_callback","event":', 'application/json'],
      ['[1,2,3]', 'application/json'],
      ['{"type":"event_callback","team_id":"T1"}', 'application/json'],
      ['payload=%7Bnot-json', FORM],
      ['payload=%7B%22type%22%3A%22block_actions%22%7D', FORM],
      ['text=hello&user_id=U1', FORM],
      ['hello', 'text/plain'],
      ['', 'application/json'],
    ];
    for (const [body, contentType] of bodies) {
      const res = await postSigned(url, body, { contentType });
      expect(res.status, body).toBe(400);
    }
    await settle();
    expect(slack.calls).toEqual([]);
  });

  it('fuzz: unsigned bodies always get 401; signed junk never crashes the endpoint', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 300 }), fc.constantFrom('application/json', FORM), async (junk, contentType) => {
        const forged = await postSigned(url, junk, { contentType, secret: 'wrong' });
        expect(forged.status).toBe(401);
        const signed = await postSigned(url, junk, { contentType });
        expect([200, 400]).toContain(signed.status);
      }),
      { numRuns: 60 },
    );
    await settle();
    expect(slack.callsOf('chat.postMessage')).toEqual([]);
  });

  it('parseBody accepts exactly the three shapes Slack sends', () => {
    expect(parseBody('application/json', eventBody({ type: 'app_mention', text: 'hi' }))?.type).toBe('event_callback');
    expect(parseBody(FORM, commandBody('/privacy', 'stats'))?.command).toBe('/privacy');
    expect(
      parseBody(FORM, `payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions', actions: [{ action_id: 'esc:claim' }] }))}`)
        ?.type,
    ).toBe('block_actions');
    expect(parseBody('application/json; charset=utf-8', '{"type":"url_verification","challenge":"c"}')?.challenge).toBe('c');
    expect(parseBody('application/json', '{"type":"url_verification"}')).toBeNull();
  });

  it('a valid request after all that is still served', async () => {
    const res = await postSigned(url, dm('Kas ir pārzinis?'));
    expect(res.status).toBe(200);
    await slack.waitForCall('chat.postMessage', (p) => p.channel === 'D0STAFF');
  });

  // Last: the server answers before reading the upload and drops that connection.
  it('a huge body is refused before it is read', async () => {
    const before = slack.calls.length;
    const res = await postSigned(url, dm('x'.repeat(600 * 1024)));
    expect(res.status).toBe(413);
    await settle();
    expect(slack.calls.length).toBe(before);
  });
});
