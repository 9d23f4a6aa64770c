import { createHmac, timingSafeEqual } from 'node:crypto';

/** `sha256=` and 64 hex digits; anything else (sha1=, short, non-hex) is refused before any HMAC. */
const HEADER = /^sha256=([0-9a-f]{64})$/i;

/** Meta's `X-Hub-Signature-256` for a body: HMAC-SHA256 of the exact bytes with the app secret. */
export function signatureOf(raw: Uint8Array, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
}

/**
 * True when `header` signs exactly these bytes. Meta signs the escaped JSON it sent (`\u0101`,
 * surrogate pairs for emoji), so the check runs on the received bytes, never on re-serialised JSON.
 */
export function verifySignature(raw: Uint8Array, header: string | undefined, secret: string): boolean {
  const hex = HEADER.exec(header ?? '')?.[1];
  if (!hex) return false;
  const given = Buffer.from(hex, 'hex');
  const expected = createHmac('sha256', secret).update(raw).digest();
  return timingSafeEqual(given, expected);
}
