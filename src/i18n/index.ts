import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import i18next, { type i18n, type Resource, type ResourceLanguage, type TFunction } from 'i18next';
import { LOCALES_DIR } from '../paths.js';
import { LANGS } from '../domain.js';

export type { TFunction };

/**
 * Loads every `locales/<lang>/<namespace>.json` synchronously: one namespace per feature,
 * so each feature owns its strings. Keys are used as `namespace:key`.
 */
export function createI18n(dir = LOCALES_DIR): i18n {
  const resources: Resource = {};
  const namespaces = new Set<string>();
  for (const lang of LANGS) {
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
    supportedLngs: [...LANGS],
    initAsync: false,
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  return instance;
}
