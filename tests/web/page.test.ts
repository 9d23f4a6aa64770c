import { describe, expect, it } from 'vitest';
import { webPage } from '../../src/channels/web/page.js';
import { createI18n } from '../../src/i18n/index.js';
import { tr } from '../helpers/locales.js';

const i18n = createI18n();

async function strings(ttlDays: number): Promise<Record<string, Record<string, string>>> {
  const page = webPage({ i18n, embedOrigins: [], ttlDays, langOf: (l) => (l?.startsWith('en') ? 'en' : 'lv') });
  const html = await (await page.request('/', { headers: { 'accept-language': 'lv' } })).text();
  const json = /<script id="thunder-config" type="application\/json">([^<]*)<\/script>/.exec(html)?.[1];
  return (JSON.parse(json ?? 'null') as { strings: Record<string, Record<string, string>> }).strings;
}

describe('web chat privacy note', () => {
  it('says the retention days in the number the count needs in Latvian and English', async () => {
    for (const days of [1, 7, 11, 21, 30]) {
      const s = await strings(days);
      for (const lang of ['lv', 'en'] as const) {
        expect(s[lang]?.privacyNote, `${lang} ${days}`).toBe(tr(lang, 'web:privacyNote', { count: days }));
        expect(s[lang]?.privacyNote).not.toContain('{{');
      }
    }
    expect((await strings(21)).lv?.privacyNote).toContain('ne ilgāk kā 21 dienu.');
    expect((await strings(11)).lv?.privacyNote).toContain('ne ilgāk kā 11 dienas.');
    expect((await strings(1)).en?.privacyNote).toContain('at most 1 day.');
  });
});
