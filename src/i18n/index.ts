import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import i18next, { type i18n, type Resource, type ResourceLanguage, type TFunction } from 'i18next';
import { LOCALES_DIR } from '../paths.js';
import { LANGS } from '../domain.js';

export type { TFunction };

/**
 * Loads every `locales/<lang>/<namespace>.json` synchronously: one namespace per feature,
 * so each feature owns its strings. Keys are used as `namespace:key`. Besides lv and en, a
 * directory may hold a few strings in a language Thunder does not serve (the note that it
 * answers in Latvian and English); anything missing there falls back to English.
 */
export function createI18n(dir = LOCALES_DIR): i18n {
  const resources: Resource = {};
  const namespaces = new Set<string>();
  const others = readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory() && !(LANGS as readonly string[]).includes(d.name));
  const langs = [...LANGS, ...others.map((d) => d.name)];
  for (const lang of langs) {
    const namespacesOfLang: ResourceLanguage = {};
    resources[lang] = namespacesOfLang;
    for (const file of readdirSync(join(dir, lang)).filter((f) => f.endsWith('.json'))) {
      const ns = file.slice(0, -'.json'.length);
      namespaces.add(ns);
      namespacesOfLang[ns] = JSON.parse(readFileSync(join(dir, lang, file), 'utf8'));
    }
  }
  const instance = i18next.createInstance();
  void instance.init({
    resources,
    ns: [...namespaces],
    defaultNS: 'core',
    fallbackLng: 'en',
    supportedLngs: langs,
    initAsync: false,
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  return instance;
}
