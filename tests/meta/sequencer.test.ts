import { describe, expect, it } from 'vitest';
import { ChatSequencer } from '../../src/channels/meta/sequencer.js';

interface Item {
  at: number;
  name: string;
}

function recorder(windowMs: number, slowMs = 0) {
  const handled: string[] = [];
  const errors: unknown[] = [];
  const seq = new ChatSequencer<Item>(
    async (item) => {
      if (slowMs) await new Promise((r) => setTimeout(r, slowMs));
      if (item.name === 'boom') throw new Error('boom');
      handled.push(item.name);
    },
    (err) => errors.push(err),
    windowMs,
  );
  return { seq, handled, errors };
}

describe('ChatSequencer', () => {
  it('handles what arrives within the window in timestamp order, equal timestamps in arrival order', async () => {
    const { seq, handled } = recorder(30);
    seq.add('a', { at: 3, name: 'a3' });
    seq.add('a', { at: 1, name: 'a1' });
    seq.add('a', { at: 3, name: 'a3b' });
    seq.add('a', { at: 2, name: 'a2' });
    await seq.idle();
    expect(handled).toEqual(['a1', 'a2', 'a3', 'a3b']);
  });

  it('sorts what arrives while a chat is busy, keeps chats apart, and goes on after a failure', async () => {
    const { seq, handled, errors } = recorder(0, 20);
    seq.add('a', { at: 1, name: 'a1' });
    seq.add('b', { at: 9, name: 'b9' });
    await new Promise((r) => setTimeout(r, 5));
    // a1 is being handled: these wait, and go in their senders' order.
    seq.add('a', { at: 4, name: 'a4' });
    seq.add('a', { at: 2, name: 'boom' });
    seq.add('a', { at: 3, name: 'a3' });
    await seq.idle();
    expect(handled.filter((n) => n.startsWith('a'))).toEqual(['a1', 'a3', 'a4']);
    expect(handled).toContain('b9');
    expect(errors).toHaveLength(1);
  });
});
