import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnThunder, type Instance } from './spawn.js';

describe('OPS_PORT', () => {
  let ops: Instance;
  let plain: Instance;
  beforeAll(async () => {
    [ops, plain] = await Promise.all([spawnThunder({ OPS_PORT: '0' }), spawnThunder()]);
  }, 30_000);
  afterAll(async () => {
    await Promise.all([ops?.cleanup(), plain?.cleanup()]);
  });

  const status = async (url: string) => (await fetch(url)).status;

  it('moves /metrics and /readyz off the public port; /healthz answers on both', async () => {
    const running = ops.logs.find((l) => String(l.msg).startsWith('Thunder is running'));
    const opsUrl = `http://127.0.0.1:${running?.opsPort as number}`;
    expect(running?.opsPort).toEqual(expect.any(Number));
    expect(await status(`${ops.url}/metrics`)).toBe(404);
    expect(await status(`${ops.url}/readyz`)).toBe(404);
    expect(await status(`${ops.url}/healthz`)).toBe(200);
    expect(await (await fetch(`${opsUrl}/metrics`)).text()).toMatch(/^thunder_/m);
    expect(await status(`${opsUrl}/readyz`)).toBe(200);
    expect(await status(`${opsUrl}/healthz`)).toBe(200);
    // The chat itself is not on the ops port.
    expect(await status(`${opsUrl}/`)).toBe(404);
    expect(await status(`${ops.url}/`)).toBe(200);
  });

  it('without OPS_PORT, everything stays on the one port', async () => {
    for (const path of ['/metrics', '/readyz', '/healthz']) expect(await status(`${plain.url}${path}`)).toBe(200);
  });
});
