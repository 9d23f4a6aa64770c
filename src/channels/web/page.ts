import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { i18n } from 'i18next';
import { Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { LANGS, type Lang } from '../../domain.js';
import { escapeMarkup } from '../../core/markup.js';
import { ROOT } from '../../paths.js';
import { MAX_TEXT_CHARS } from './api.js';

export interface PageOptions {
  i18n: i18n;
  /** CSP frame-ancestors: who may embed the page. */
  embedOrigins: string[];
  ttlDays: number;
  /** The language for a locale; the default language for none or an unknown one. */
  langOf(locale: string | undefined): Lang;
}

/** JSON inside <script> must not be able to close the tag. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

function preferredLang(header: string | undefined, opts: PageOptions): Lang {
  const first = header?.split(',')[0]?.split(';')[0]?.trim();
  return opts.langOf(first || undefined);
}

/** The chat page and its assets, read once: plain HTML, CSS and JS, no build step. */
export function webPage(opts: PageOptions): Hono {
  const read = (file: string) => readFileSync(join(ROOT, 'web', file), 'utf8');
  const template = read('index.html');
  // The page's own `t` has no plural rules, so the note that carries a number comes resolved.
  const strings = Object.fromEntries(
    LANGS.map((l) => {
      const bundle = opts.i18n.getResourceBundle(l, 'web') as Record<string, string>;
      const plain = Object.entries(bundle).filter(([key]) => !key.startsWith('privacyNote_'));
      const resolved: Record<string, string> = {
        ...Object.fromEntries(plain),
        privacyNote: opts.i18n.t('web:privacyNote', { lng: l, count: opts.ttlDays }),
      };
      return [l, resolved];
    }),
  );
  const assets: Record<string, { body: string; type: string }> = {
    '/chat.css': { body: read('chat.css'), type: 'text/css; charset=utf-8' },
    '/chat.js': { body: read('chat.js'), type: 'text/javascript; charset=utf-8' },
    '/favicon.svg': { body: read('favicon.svg'), type: 'image/svg+xml' },
    '/embed.js': { body: read('embed.js').replace('__STRINGS__', () => scriptJson(strings)), type: 'text/javascript; charset=utf-8' },
  };
  const pages = new Map<Lang, string>(
    LANGS.map((lang) => {
      const config = { lang, strings, maxChars: MAX_TEXT_CHARS };
      const html = template
        .replace('__LANG__', lang)
        .replace('__MAX_CHARS__', String(MAX_TEXT_CHARS))
        .replace('__TITLE__', () => escapeMarkup(strings[lang]?.title ?? 'Thunder'))
        .replace('__CONFIG__', () => scriptJson(config));
      return [lang, html];
    }),
  );

  const headers = secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      // The page is a widget that company sites embed in an iframe.
      frameAncestors: opts.embedOrigins,
    },
    xFrameOptions: false,
    crossOriginResourcePolicy: 'cross-origin',
  });
  const page = new Hono();
  page.get('/', headers, (c) => {
    c.header('vary', 'accept-language');
    c.header('cache-control', 'no-cache');
    return c.html(pages.get(preferredLang(c.req.header('accept-language'), opts)) ?? '');
  });
  for (const [path, asset] of Object.entries(assets)) {
    page.get(path, headers, (c) => {
      c.header('content-type', asset.type);
      c.header('cache-control', 'public, max-age=300');
      return c.body(asset.body);
    });
  }
  return page;
}
