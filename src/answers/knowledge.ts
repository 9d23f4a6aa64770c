import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { load } from 'js-yaml';
import type { z } from 'zod';
import { KnowledgeError } from '../core/errors.js';
import { KNOWLEDGE_DIR, ROOT } from '../paths.js';
import {
  exerciseFileSchema,
  intentsFileSchema,
  languagesFileSchema,
  outOfScopeFileSchema,
  type Right,
  sectionFileSchema,
  type ConversationIntent,
  type KnowledgeBase,
  type KnowledgeEntry,
  type Section,
} from './schema.js';

export { KnowledgeError };

function displayPath(file: string): string {
  const rel = relative(ROOT, file);
  return rel.startsWith('..') ? file : rel;
}

/** "entries.3.answer.en: Required" → 'entry "right-erasure": answer.en: Required'. */
function describeIssue(raw: unknown, issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String);
  if (path[0] === 'entries' && path[1] !== undefined) {
    const index = Number(path[1]);
    const entries = (raw as { entries?: unknown[] } | null)?.entries;
    const id = (entries?.[index] as { id?: unknown } | undefined)?.id;
    const who = typeof id === 'string' ? `entry "${id}"` : `entry #${index + 1}`;
    const field = path.slice(2).join('.');
    return field ? `${who}: ${field}: ${issue.message}` : `${who}: ${issue.message}`;
  }
  return `${path.join('.') || '(file)'}: ${issue.message}`;
}

function parseYaml(file: string, text: string): unknown {
  try {
    return load(text, { filename: displayPath(file) });
  } catch (err) {
    throw new KnowledgeError(`${displayPath(file)}: not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
}

function validate<T>(schema: z.ZodType<T>, file: string, raw: unknown): T {
  const name = displayPath(file);
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${name}: ${describeIssue(raw, issue)}`);
    throw new KnowledgeError(issues.join('\n'));
  }
  return parsed.data;
}

/**
 * Reads and validates every `*.yaml` in the knowledge directory, synchronously (start-up only).
 * Throws a KnowledgeError naming file, entry and field for the first bad file, duplicate ids
 * and `related` ids that do not exist.
 */
function yamlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort()
    .map((f) => join(dir, f));
}

function readValid<T>(schema: z.ZodType<T>, file: string): T {
  return validate(schema, file, parseYaml(file, readFileSync(file, 'utf8')));
}

export function loadKnowledge(dir = KNOWLEDGE_DIR): KnowledgeBase {
  const files = yamlFiles(dir);
  if (files.length === 0) throw new KnowledgeError(`${displayPath(dir)}: no knowledge files (*.yaml)`);

  const sections: Section[] = [];
  const entries = new Map<string, KnowledgeEntry>();
  const fileOf = new Map<string, string>();
  const sectionFiles = new Map<string, string>();
  for (const file of files) {
    const name = displayPath(file);
    const data = readValid(sectionFileSchema, file);
    const previous = sectionFiles.get(data.section.id);
    if (previous) throw new KnowledgeError(`${name}: section "${data.section.id}" is also defined in ${previous}`);
    sectionFiles.set(data.section.id, name);
    const section: Section = { ...data.section, entryIds: data.entries.map((e) => e.id) };
    sections.push(section);
    for (const entry of data.entries) {
      const other = fileOf.get(entry.id);
      if (other) throw new KnowledgeError(`${name}: entry "${entry.id}": id: duplicate, already used in ${other}`);
      fileOf.set(entry.id, name);
      entries.set(entry.id, { ...entry, section });
    }
  }
  for (const entry of entries.values()) {
    entry.related.forEach((id, i) => {
      if (!entries.has(id) || id === entry.id) {
        const why = id === entry.id ? 'refers to itself' : `unknown entry "${id}"`;
        throw new KnowledgeError(`${fileOf.get(entry.id)}: entry "${entry.id}": related.${i}: ${why}`);
      }
    });
  }
  sections.sort((a, b) => a.order - b.order || a.id.localeCompare(b.id));
  const intents = new Map<ConversationIntent, { lv: string[]; en: string[] }>();
  const exercise = new Map<Right, { lv: string[]; en: string[] }>();
  const merge = <K>(map: Map<K, { lv: string[]; en: string[] }>, key: K, samples: { lv: string[]; en: string[] }) => {
    const seen = map.get(key);
    map.set(key, seen ? { lv: [...seen.lv, ...samples.lv], en: [...seen.en, ...samples.en] } : samples);
  };
  for (const file of yamlFiles(join(dir, 'intents'))) {
    const raw = parseYaml(file, readFileSync(file, 'utf8'));
    if (raw && typeof raw === 'object' && 'exercise' in raw) {
      for (const { right, samples } of validate(exerciseFileSchema, file, raw).exercise) merge(exercise, right, samples);
    } else {
      for (const { intent, samples } of validate(intentsFileSchema, file, raw).intents) merge(intents, intent, samples);
    }
  }
  const outOfScope = yamlFiles(join(dir, 'out-of-scope')).flatMap((file) => readValid(outOfScopeFileSchema, file).topics);
  const otherLanguages = new Map<string, string[]>();
  for (const file of yamlFiles(join(dir, 'languages'))) {
    for (const { code, samples } of readValid(languagesFileSchema, file).languages)
      otherLanguages.set(code, [...(otherLanguages.get(code) ?? []), ...samples]);
  }
  return { sections, entries, intents, exercise, outOfScope, otherLanguages };
}
