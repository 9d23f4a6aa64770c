import { describe, expect, it } from 'vitest';
import { startTestApp } from '../helpers/app.js';
import { FakeSlack, postSigned } from '../helpers/fake-slack.js';

describe('Slack modes', () => {
  it('Socket Mode (SLACK_APP_TOKEN) needs no signing secret and serves no HTTP endpoint', async () => {
    const slack = await FakeSlack.start();
    // noStart: starting would open a WebSocket to Slack.
    const t = await startTestApp(
      { SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_APP_TOKEN: 'xapp-1-test', SLACK_API_URL: slack.apiUrl, WEB_CHAT: 'false' },
      { listen: true, noStart: true },
    );
    try {
      expect(t.app.channels).toContain('slack (socket mode)');
      const res = await postSigned(t.url!, JSON.stringify({ type: 'url_verification', challenge: 'c' }));
      expect(res.status).toBe(404);
    } finally {
      await t.teardown();
      await slack.close();
    }
  });

  it('HTTP mode refuses to start without a signing secret', async () => {
    await expect(startTestApp({ SLACK_BOT_TOKEN: 'xoxb-test-token', WEB_CHAT: 'false' })).rejects.toThrow(/SLACK_SIGNING_SECRET/);
  });

  it('no SLACK_BOT_TOKEN: no Slack channel and no /slack/events route', async () => {
    const t = await startTestApp({ SLACK_SIGNING_SECRET: 'x', WEB_CHAT: 'false' }, { listen: true });
    try {
      expect(t.app.channels.join(' ')).not.toMatch(/slack/);
      expect((await postSigned(t.url!, '{}', { secret: 'x' })).status).toBe(404);
    } finally {
      await t.teardown();
    }
  });
});
