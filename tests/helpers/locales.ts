import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOCALES_DIR } from '../../src/paths.js';

/** A locale string as the user should see it (tests compare against the files, not copies of them). */
export function tr(lang: 'lv' | 'en', key: string, vars: Record<string, string | number> = {}): string {
  const [ns, path] = key.split(':') as [string, string];
  const data: unknown = JSON.parse(readFileSync(join(LOCALES_DIR, lang, `${ns}.json`), 'utf8'));
  const find = (p: string) => p.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], data);
  // i18next plurals: `key_one`, `key_other`… chosen by the language's plural rules.
  const count = vars.count;
  const value =
    find(path) ??
    (typeof count === 'number' ? (find(`${path}_${new Intl.PluralRules(lang).select(count)}`) ?? find(`${path}_other`)) : undefined);
  if (typeof value !== 'string') throw new Error(`no locale string ${lang}/${key}`);
  return value.replace(/\{\{(\w+)\}\}/g, (_, name: string) => String(vars[name] ?? ''));
}

/** What Telegram's HTML parse mode shows for escaped text. */
export function htmlText(html: string): string {
  return html
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
