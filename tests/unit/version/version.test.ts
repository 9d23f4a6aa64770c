import { describe, expect, it } from 'vitest';
import { createVersion } from '../../../src/version/index.js';
import { coreWith } from '../../helpers/core.js';
import { tr } from '../../helpers/locales.js';

// A feature built and tested on the Feature seam alone: no app, no store, no channel.
describe('version feature', () => {
  it('answers /version in the user’s language and passes everything else on', async () => {
    const seen: string[] = [];
    const { say } = coreWith([
      createVersion({ version: '9.8.7' }),
      { name: 'rest', middleware: [async (ctx) => void seen.push(ctx.args)] },
    ]);
    expect(await say('/version')).toEqual([tr('en', 'version:reply', { version: '9.8.7' })]);
    expect(await say('/version', 'u2', { locale: 'lv-LV' })).toEqual([tr('lv', 'version:reply', { version: '9.8.7' })]);
    expect(await say('what data do you keep?')).toEqual([]);
    expect(seen).toEqual(['what data do you keep?']);
  });
});
