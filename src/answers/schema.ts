import { z } from 'zod';
import { LANGS, RIGHTS, type Intent, type Right } from '../domain.js';

export { INTENTS, LANGS, RIGHTS, type Intent, type Lang, type Right } from '../domain.js';

/** The conversation intents the knowledge base holds sample messages for. */
export const CONVERSATION_INTENTS = ['human', 'status', 'greeting', 'thanks', 'help'] as const satisfies readonly Intent[];
export type ConversationIntent = (typeof CONVERSATION_INTENTS)[number];

const id = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be kebab-case (a-z, 0-9, -)');
const text = z.string().trim().min(1);
const bilingual = z.object({ lv: text, en: text }).strict();
const bilingualList = z.object({ lv: z.array(text).min(1), en: z.array(text).min(1) }).strict();

const entrySchema = z
  .object({
    id,
    /** A short topic name for buttons ("did you mean", follow-ups): never words put in the customer's mouth. */
    title: bilingual,
    answer: bilingual,
    questions: bilingualList,
    keywords: z.object({ lv: z.array(text), en: z.array(text) }).strict(),
    related: z.array(id).default([]),
    /** Verbatim sentence(s) of the Latvian policy the answer rests on. */
    source: z.array(text).min(1),
    /** The GDPR right this entry explains: its answer offers to start a request. */
    right: z.enum(RIGHTS).optional(),
    /** The term this entry defines, as customers write it: a definition question naming it gets this entry. */
    defines: z
      .object({ lv: z.array(text).min(1), en: z.array(text).min(1) })
      .strict()
      .optional(),
    /** The company's contacts, on the entry that states them: the honest hand-off quotes them. */
    contacts: z.object({ email: z.email(), phone: text }).strict().optional(),
  })
  .strict();

export const sectionFileSchema = z
  .object({
    section: z.object({ id, order: z.number().int(), title: bilingual }).strict(),
    entries: z.array(entrySchema).min(1),
  })
  .strict();

export const intentsFileSchema = z
  .object({
    intents: z.array(z.object({ intent: z.enum(CONVERSATION_INTENTS), samples: bilingualList }).strict()).min(1),
  })
  .strict();
export type IntentsFile = z.infer<typeof intentsFileSchema>;

export const exerciseFileSchema = z
  .object({ exercise: z.array(z.object({ right: z.enum(RIGHTS), samples: bilingualList }).strict()).min(1) })
  .strict();

const termList = z.object({ lv: z.array(text), en: z.array(text) }).strict();
/** What the policy does not answer: sample questions and terms that train the "none" class. */
export const outOfScopeFileSchema = z
  .object({ topics: z.array(z.object({ id, samples: bilingualList, terms: termList }).strict()).min(1) })
  .strict();
export type OutOfScopeTopic = z.infer<typeof outOfScopeFileSchema>['topics'][number];

/** Languages Thunder does not serve, by ISO 639-1 code, with sample messages. */
export const languagesFileSchema = z
  .object({
    languages: z
      .array(
        z
          .object({
            code: z
              .string()
              .regex(/^[a-z]{2}$/, 'must be an ISO 639-1 code')
              .refine((code) => !(LANGS as readonly string[]).includes(code), 'is a language Thunder serves'),
            samples: z.array(text).min(5),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

export type Entry = z.infer<typeof entrySchema>;
export type SectionFile = z.infer<typeof sectionFileSchema>;
export interface Section {
  id: string;
  order: number;
  title: { lv: string; en: string };
  entryIds: string[];
}
/** An entry with its section resolved, as the matcher and channels use it. */
export interface KnowledgeEntry extends Entry {
  section: Section;
}
export interface KnowledgeBase {
  /** By `order`, then id. */
  sections: Section[];
  entries: Map<string, KnowledgeEntry>;
  /** Sample messages per conversation intent. */
  intents: Map<ConversationIntent, { lv: string[]; en: string[] }>;
  /** Sample wishes to exercise each right now. */
  exercise: Map<Right, { lv: string[]; en: string[] }>;
  outOfScope: OutOfScopeTopic[];
  /** ISO 639-1 code → sample messages, for languages Thunder does not serve. */
  otherLanguages: Map<string, string[]>;
}
