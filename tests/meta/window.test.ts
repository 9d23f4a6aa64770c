import { describe, expect, it } from 'vitest';
import { windowFor } from '../../src/channels/meta/window.js';
import { classify } from '../../src/channels/meta/graph.js';

const HOUR = 60 * 60 * 1000;
const T0 = Date.UTC(2026, 11, 1, 9, 0);
const on = { humanAgentTag: true, reengageTemplate: true };
const off = { humanAgentTag: false, reengageTemplate: false };

describe('the 24-hour window (fake clock: the customer wrote at T0)', () => {
  it('lets anything out within 24 hours', () => {
    for (const channel of ['messenger', 'instagram', 'whatsapp'] as const) {
      expect(windowFor(channel, T0, T0 + 23 * HOUR, false, off)).toBe('update');
      expect(windowFor(channel, T0, T0 + 23 * HOUR + 59 * 60_000, true, on)).toBe('update');
    }
  });

  it('Messenger/Instagram: HUMAN_AGENT only for a person, only with the permission, only up to 7 days', () => {
    for (const channel of ['messenger', 'instagram'] as const) {
      expect(windowFor(channel, T0, T0 + 25 * HOUR, true, on)).toBe('human-agent');
      expect(windowFor(channel, T0, T0 + 25 * HOUR, false, on)).toBe('closed');
      expect(windowFor(channel, T0, T0 + 25 * HOUR, true, off)).toBe('closed');
      expect(windowFor(channel, T0, T0 + 6 * 24 * HOUR + 23 * HOUR, true, on)).toBe('human-agent');
      expect(windowFor(channel, T0, T0 + 8 * 24 * HOUR, true, on)).toBe('closed');
    }
  });

  it('WhatsApp: after 24 hours only the approved template, and only for a person', () => {
    expect(windowFor('whatsapp', T0, T0 + 25 * HOUR, true, on)).toBe('template');
    expect(windowFor('whatsapp', T0, T0 + 25 * HOUR, false, on)).toBe('closed');
    expect(windowFor('whatsapp', T0, T0 + 25 * HOUR, true, off)).toBe('closed');
    expect(windowFor('whatsapp', undefined, T0, true, off)).toBe('closed');
  });
});

describe('Graph error classes', () => {
  it('retries throttling and 5xx, never window or unreachable errors', () => {
    for (const code of [4, 17, 32, 613, 80007, 130429, 131056, 1, 2]) expect(classify(400, code, undefined)).toBe('retry');
    expect(classify(503, undefined, undefined)).toBe('retry');
    expect(classify(429, undefined, undefined)).toBe('retry');
    expect(classify(400, 10, 2018278)).toBe('window');
    expect(classify(400, 131047, undefined)).toBe('window');
    expect(classify(400, 551, 1545041)).toBe('unreachable');
    expect(classify(401, 190, 463)).toBe('token');
    expect(classify(400, 100, undefined)).toBe('invalid');
    expect(classify(400, 10, undefined)).toBe('invalid');
  });
});
