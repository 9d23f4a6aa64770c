import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadKnowledge } from '../../src/answers/knowledge.js';
import { contactsOf } from '../../src/escalation/contacts.js';
import { LOCALES_DIR } from '../../src/paths.js';

const kb = loadKnowledge();

function strings(value: unknown, path = ''): [string, string][] {
  if (typeof value === 'string') return [[path, value]];
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => strings(v, path ? `${path}.${k}` : k));
  return [];
}

describe('words', () => {
  it('addresses the customer one way in Latvian: Jūs, Jums, Jūsu, capitalised as customer service writes it', () => {
    const lower = /(?<![\p{L}])(jūs|jums|jūsu|jūsējais|jūsējā|jūsējo)(?![\p{L}])/u;
    for (const file of readdirSync(join(LOCALES_DIR, 'lv'))) {
      const all = strings(JSON.parse(readFileSync(join(LOCALES_DIR, 'lv', file), 'utf8')));
      for (const [key, text] of all) expect(lower.test(text), `lv/${file} ${key}: ${text}`).toBe(false);
    }
    for (const entry of kb.entries.values()) expect(lower.test(entry.answer.lv), `knowledge ${entry.id}: answer.lv`).toBe(false);
  });

  it("gives every entry a short title per language that names a topic, not a sentence in the customer's mouth", () => {
    for (const entry of kb.entries.values()) {
      for (const lang of ['lv', 'en'] as const) {
        const title = entry.title[lang];
        expect(title.length, `${entry.id}.${lang}`).toBeLessThanOrEqual(45);
        expect(title, `${entry.id}.${lang}`).not.toMatch(/[?!]|\b(I|my|me)\b|(^|\s)(es|mans|manus|mani|man)(\s|$)/);
      }
    }
  });

  it('takes the company contacts from the entry that states them, and that entry says them in both languages', () => {
    const contacts = contactsOf(kb);
    const entry = [...kb.entries.values()].find((e) => e.contacts)!;
    for (const lang of ['lv', 'en'] as const) {
      expect(entry.answer[lang]).toContain(contacts.email);
      expect(entry.answer[lang]).toContain(contacts.phone);
    }
  });

  it('has the note for languages Thunder does not serve in Russian, Ukrainian, German, Lithuanian, Estonian and Polish', () => {
    for (const code of ['ru', 'uk', 'de', 'lt', 'et', 'pl']) {
      const { otherLanguage } = JSON.parse(readFileSync(join(LOCALES_DIR, code, 'conversation.json'), 'utf8')) as { otherLanguage: string };
      expect(otherLanguage).toContain('{{email}}');
      expect(otherLanguage).toContain('{{phone}}');
    }
  });
});
