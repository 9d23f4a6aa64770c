import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { tr } from '../../helpers/locales.js';
import { coreWith } from '../../helpers/core.js';

declare module '../../../src/core/session.js' {
  interface SessionFields {
    testCount?: number;
    testNote: string;
  }
}

describe('Core', () => {
  it('refuses a second next() from one middleware and answers with the error reply', async () => {
    const runs: string[] = [];
    const { say } = coreWith([
      {
        name: 'twice',
        middleware: [
          async (_ctx, next) => {
            await next();
            await next();
          },
          async (ctx) => {
            runs.push(ctx.args);
            ctx.reply('ok');
          },
        ],
      },
    ]);
    expect(await say('hello')).toEqual([tr('en', 'core:error')]);
    expect(runs).toEqual(['hello']);
  });

  it('keeps the stored session as it was when a turn throws', async () => {
    const { say, sessions } = coreWith([
      {
        name: 'counter',
        session: { testCount: z.number().optional() },
        middleware: [
          async (ctx) => {
            ctx.session.testCount = (ctx.session.testCount ?? 0) + 1;
            if (ctx.args === 'fail') throw new Error('boom');
          },
        ],
      },
    ]);
    await say('one');
    expect((await sessions.get('web:u1'))?.testCount).toBe(1);
    await say('fail');
    const stored = await sessions.get('web:u1');
    expect(stored?.testCount).toBe(1);
    expect(stored?.turns.map((t) => t.text)).toEqual(['one']);
  });

  it('validates each feature’s session fields on their own: a bad field resets only its feature', async () => {
    const { say, sessions } = coreWith([
      {
        name: 'a',
        session: { testCount: z.number().optional() },
        middleware: [async (ctx, next) => next()],
      },
      {
        name: 'b',
        session: { testNote: z.string().default('fresh') },
        middleware: [async (ctx) => ctx.reply(`${ctx.session.testCount ?? 'none'} ${ctx.session.testNote}`)],
      },
    ]);
    await sessions.set('web:u1', { lang: 'en', turns: [], testCount: 5, testNote: 42 } as never);
    expect(await say('hi')).toEqual(['5 fresh']);
  });

  it('runs editSession in the user’s queue: a turn in progress cannot overwrite the change', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    const { core, say, sessions } = coreWith([
      {
        name: 'slow',
        session: { testNote: z.string().default('') },
        middleware: [
          async (ctx) => {
            if (ctx.args === 'second') {
              entered();
              await held;
            }
            ctx.session.testNote = `${ctx.session.testNote}+turn`;
          },
        ],
      },
    ]);
    await say('first');
    const turn = say('second');
    await inside;
    const edit = core.editSession('web:u1', (s) => {
      s.testNote = `${s.testNote}+edit`;
      return true;
    });
    release();
    await Promise.all([turn, edit]);
    expect((await sessions.get('web:u1'))?.testNote).toBe('+turn+turn+edit');
  });
});
