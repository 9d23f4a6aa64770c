import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseWebhook } from '../../src/channels/meta/inbound.js';

const body = (name: string): unknown => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));

describe('parseWebhook', () => {
  it('reads Latvian letters and emoji from escaped Messenger text', () => {
    const { events } = parseWebhook(body('messenger-text-lv.json'));
    expect(events).toEqual([
      {
        channel: 'messenger',
        id: 'm_lv_1',
        userId: '7001',
        at: 1765080000000,
        text: 'Kur varu iesniegt sūdzību par datu apstrādi, ja jūs neatbildat? 🙏',
      },
    ]);
  });

  it('takes every event of every entry in a batch, postbacks as buttons', () => {
    const { events } = parseWebhook(body('messenger-batch.json'));
    expect(events.map((e) => [e.userId, e.id, e.text ?? e.button])).toEqual([
      ['7101', 'm_b_1', 'Kādus datus jūs vācat? 🤔'],
      ['7102', 'm_b_2', 'What personal data do you collect?'],
      ['7103', 'm_b_3', 'Cik ilgi glabājat manus datus?'],
      ['7104', 'm_b_4', 'cmd:start'],
    ]);
  });

  it('skips echoes, deliveries, reads and unknown events, counting them by kind', () => {
    const parsed = parseWebhook(body('messenger-ignored.json'));
    expect(parsed.events).toEqual([]);
    expect(parsed.skipped).toEqual({ echo: 1, delivery: 1, read: 1, reaction: 1 });
  });

  it('reads quick replies as buttons and attachments as unsupported', () => {
    expect(parseWebhook(body('messenger-quick-reply.json')).events[0]).toMatchObject({ button: 'cmd:topics' });
    expect(parseWebhook(body('messenger-attachment.json')).events[0]).toMatchObject({ unsupported: 'image' });
  });

  it('reads Instagram messages and drops its echoes', () => {
    const parsed = parseWebhook(body('instagram-message-echo.json'));
    expect(parsed.events).toEqual([
      { channel: 'instagram', id: 'aWdfZAG1_1', userId: '5501', at: 1765080004000, text: 'Vai drīkstu pieprasīt savu datu kopiju? 📄' },
    ]);
    expect(parsed.skipped).toEqual({ echo: 1 });
  });

  it('prefers the WhatsApp business-scoped user id over the phone number', () => {
    expect(parseWebhook(body('whatsapp-text-en.json')).events[0]).toMatchObject({
      channel: 'whatsapp',
      userId: 'LV.1349120865530274001',
      id: 'wamid.EN1',
      at: 1765080005000,
    });
    expect(parseWebhook(body('whatsapp-text-lv.json')).events[0]).toMatchObject({
      userId: '37120000002',
      text: 'Kā es varu dzēst savus datus? Paldies 🙏',
    });
    expect(parseWebhook(body('whatsapp-bsuid-only.json')).events[0]).toMatchObject({
      userId: 'LV.1349120865530274999',
      text: 'Sveiki! Kas ir pārzinis?',
    });
  });

  it('reads WhatsApp reply buttons, list rows and template buttons as buttons', () => {
    const { events } = parseWebhook(body('whatsapp-interactive.json'));
    expect(events.map((e) => e.button)).toEqual(['cmd:topics', 'topic:complaints', 'cmd:status']);
  });

  it('reports WhatsApp statuses and errors as notices with their codes only', () => {
    const parsed = parseWebhook(body('whatsapp-statuses.json'));
    expect(parsed.events).toEqual([]);
    expect(parsed.notices).toEqual([
      { kind: 'error', codes: [131000] },
      { kind: 'status', status: 'delivered', codes: [] },
      { kind: 'status', status: 'failed', codes: [131047] },
    ]);
  });

  it('skips other fields, reactions and broken messages but keeps the readable ones', () => {
    const parsed = parseWebhook(body('whatsapp-other.json'));
    expect(parsed.events).toEqual([
      { channel: 'whatsapp', id: 'wamid.IM1', userId: '37120000004', at: 1765080015000, unsupported: 'image' },
    ]);
    expect(parsed.skipped).toEqual({ 'field:smb_message_echoes': 1, reaction: 1, message: 1 });
  });

  it('never throws on bodies it does not know', () => {
    for (const b of [
      null,
      42,
      'x',
      {},
      { object: 'page' },
      { object: 'page', entry: [null, 1, { messaging: [null, {}, { sender: 1 }] }] },
      { object: 'user', entry: [] },
      { object: 'whatsapp_business_account', entry: [{ changes: [null, { field: 'messages', value: null }] }] },
    ]) {
      expect(() => parseWebhook(b)).not.toThrow();
      expect(parseWebhook(b).events).toEqual([]);
    }
  });
});
