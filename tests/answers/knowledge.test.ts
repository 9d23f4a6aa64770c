import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KnowledgeError, loadKnowledge } from '../../src/answers/knowledge.js';
import { fold } from '../../src/answers/normalize.js';
import { KNOWLEDGE_DIR } from '../../src/paths.js';

const collapse = (text: string) => text.replace(/\s+/g, ' ').trim();

const entry = (id: string, extra = '') => `
  - id: ${id}
    title: { lv: Tēma, en: Topic }
    answer: { lv: Atbilde., en: Answer. }
    questions: { lv: [Jautājums?], en: [Question?] }
    keywords: { lv: [vārds], en: [word] }
    source: [Teikums.]${extra}`;
const file = (id: string, entries: string) => `section:
  id: ${id}
  order: 1
  title: { lv: Sadaļa, en: Section }
entries:${entries}
`;

describe('loadKnowledge', () => {
  let dir: string | undefined;
  afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));
  const write = (files: Record<string, string>) => {
    dir = mkdtempSync(join(tmpdir(), 'thunder-kb-'));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return dir;
  };
  const errorOf = (path: string) => {
    try {
      loadKnowledge(path);
    } catch (err) {
      expect(err).toBeInstanceOf(KnowledgeError);
      return (err as Error).message;
    }
    throw new Error('expected loadKnowledge to throw');
  };

  it('names the file, entry and field of a missing translation', () => {
    const bad = file('rights', entry('right-access') + entry('right-erasure').replace('en: Answer.', 'de: Antwort.'));
    const message = errorOf(write({ '11-rights.yaml': bad }));
    expect(message).toContain('11-rights.yaml: entry "right-erasure": answer.en:');
    expect(message).not.toContain('right-access');
  });

  it('names a wrongly typed field deep inside an entry', () => {
    const bad = file('general', entry('policy-scope').replace('questions: { lv: [Jautājums?]', 'questions: { lv: "Jautājums?"'));
    expect(errorOf(write({ '01-general.yaml': bad }))).toMatch(/01-general\.yaml: entry "policy-scope": questions\.lv: /);
  });

  it('rejects a bad id, unknown fields, YAML syntax errors and empty directories', () => {
    expect(errorOf(write({ 'a.yaml': file('a', entry('Bad_Id')) }))).toMatch(/a\.yaml: entry "Bad_Id": id: must be kebab-case/);
    expect(errorOf(write({ 'a.yaml': file('a', `${entry('x')}\n    colour: red`) }))).toMatch(/a\.yaml: entry "x": .*colour/);
    expect(errorOf(write({ 'b.yaml': 'section: [unclosed' }))).toMatch(/b\.yaml: not valid YAML/);
    expect(errorOf(write({ 'notes.txt': 'nothing' }))).toMatch(/no knowledge files/);
  });

  it('rejects duplicate ids across files and related ids that do not exist', () => {
    const dup = errorOf(write({ 'a.yaml': file('a', entry('same')), 'b.yaml': file('b', entry('same')) }));
    expect(dup).toMatch(/b\.yaml: entry "same": id: duplicate, already used in \S*a\.yaml$/);
    const related = errorOf(write({ 'a.yaml': file('a', entry('one', '\n    related: [two, ghost]') + entry('two')) }));
    expect(related).toContain('a.yaml: entry "one": related.1: unknown entry "ghost"');
  });

  it('sees every edit although parsed files are cached', () => {
    const path = write({ 'a.yaml': file('a', entry('one')) });
    expect(loadKnowledge(path).entries.get('one')?.answer.en).toBe('Answer.');
    expect(loadKnowledge(path).entries.get('one')?.answer.en).toBe('Answer.');
    writeFileSync(join(path, 'a.yaml'), file('a', entry('one')).replace('en: Answer.', 'en: Changed.'));
    expect(loadKnowledge(path).entries.get('one')?.answer.en).toBe('Changed.');
    writeFileSync(join(path, 'a.yaml'), file('a', entry('one')).replace('en: Answer.', 'en: ""'));
    expect(() => loadKnowledge(path)).toThrow(/a\.yaml: entry "one": answer\.en:/);
  });

  it('loads a valid directory with sections sorted by order and entries resolved', () => {
    const path = write({
      'z.yaml': file('first', entry('b-entry')),
      'a.yaml': file('second', entry('a-entry', '\n    related: [b-entry]')).replace('order: 1', 'order: 2'),
    });
    const kb = loadKnowledge(path);
    expect(kb.sections.map((s) => s.id)).toEqual(['first', 'second']);
    expect(kb.entries.get('a-entry')?.section.id).toBe('second');
    expect(kb.entries.get('a-entry')?.related).toEqual(['b-entry']);
    expect(kb.entries.get('b-entry')?.related).toEqual([]);
  });
});

describe('the knowledge base', () => {
  const kb = loadKnowledge();
  const policy = collapse(readFileSync(join(KNOWLEDGE_DIR, 'source/privatuma-politika.lv.txt'), 'utf8'));

  it('has its 12 sections in order and every entry of the README table', () => {
    expect(kb.sections).toHaveLength(12);
    expect(kb.sections.map((s) => s.order)).toEqual([...kb.sections.map((s) => s.order)].sort((a, b) => a - b));
    const readme = readFileSync(join(KNOWLEDGE_DIR, 'README.md'), 'utf8');
    const listed = [...readme.matchAll(/^\| [a-z-]+ \| `([a-z0-9-]+)` \|/gm)].map((m) => m[1]);
    expect(listed.length).toBeGreaterThanOrEqual(35);
    expect([...kb.entries.keys()].sort()).toEqual([...listed].sort());
  });

  it('quotes the policy verbatim in every source', () => {
    const missing = [...kb.entries.values()].flatMap((e) =>
      e.source.filter((quote) => !policy.includes(collapse(quote))).map((quote) => `${e.id}: ${quote}`),
    );
    expect(missing).toEqual([]);
  });

  it('answers every entry in both languages, with questions in both', () => {
    for (const e of kb.entries.values()) {
      expect(e.answer.lv.length, e.id).toBeGreaterThan(20);
      expect(e.answer.en.length, e.id).toBeGreaterThan(20);
      expect(e.answer.lv, e.id).not.toBe(e.answer.en);
      expect(e.questions.lv.length + e.questions.en.length, e.id).toBeGreaterThanOrEqual(4);
      expect(e.section.title.lv && e.section.title.en, e.id).toBeTruthy();
    }
  });

  it('defines each term once, its first form being the word its answer uses', () => {
    const defining = [...kb.entries.values()].filter((e) => e.defines);
    expect(defining.map((e) => e.id).sort()).toEqual(['def-anonymous-data', 'def-client', 'def-personal-data', 'def-processing']);
    const seen = new Set<string>();
    for (const e of defining) {
      for (const lang of ['lv', 'en'] as const) {
        const [first] = e.defines![lang];
        expect(fold(e.answer[lang]), `${e.id} ${lang}: ${first}`).toContain(fold(first!).slice(0, 5));
        for (const term of e.defines![lang]) {
          expect(seen.has(`${lang}:${fold(term)}`), term).toBe(false);
          seen.add(`${lang}:${fold(term)}`);
        }
      }
    }
  });
});
