import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { signatureOf, verifySignature } from '../../src/channels/meta/signature.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
const SECRET = 'test-meta-app-secret';

describe('X-Hub-Signature-256', () => {
  it('matches the published known-answer vector', () => {
    // GitHub's and Typebot's vector for the same HMAC-SHA256 scheme.
    const sig = signatureOf(Buffer.from('Hello, World!'), "It's a Secret to Everybody");
    expect(sig).toBe('sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17');
    expect(verifySignature(Buffer.from('Hello, World!'), sig, "It's a Secret to Everybody")).toBe(true);
  });

  it('verifies the escaped bytes Meta sent, and refuses the same JSON re-serialised', () => {
    const raw = fixture('messenger-text-lv.json');
    expect(raw.toString('latin1')).toContain('\\u016b');
    expect(raw.toString('latin1')).toContain('\\ud83d\\ude4f');
    const sig = signatureOf(raw, SECRET);
    expect(verifySignature(raw, sig, SECRET)).toBe(true);
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(raw.toString('utf8'))), 'utf8');
    expect(reserialised.toString('utf8')).toContain('sūdzību');
    expect(verifySignature(reserialised, sig, SECRET)).toBe(false);
  });

  it('refuses missing, sha1, short, non-hex and wrong-secret signatures', () => {
    const raw = fixture('whatsapp-text-en.json');
    const good = signatureOf(raw, SECRET);
    for (const bad of [
      undefined,
      '',
      good.replace('sha256=', 'sha1='),
      good.slice(0, -2),
      `sha256=${'zz'.repeat(32)}`,
      signatureOf(raw, 'other-secret'),
      `${good}00`,
    ]) {
      expect(verifySignature(raw, bad, SECRET)).toBe(false);
    }
    // Meta writes lower-case hex; upper case is the same digest.
    expect(verifySignature(raw, `sha256=${good.slice(7).toUpperCase()}`, SECRET)).toBe(true);
  });
});
