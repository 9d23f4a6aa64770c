import type { KnowledgeBase, KnowledgeEntry, Lang, Right } from '../answers/schema.js';

/** What the conversation needs of the answer engine (src/answers/engine.ts implements it). */
export interface Answer {
  lang: Lang;
  entry: KnowledgeEntry | null;
  confidence: number;
  suggestions: KnowledgeEntry[];
  exercise?: Right;
}

export interface Asker {
  ask(text: string, defaultLang: Lang): Answer;
}

export interface ConversationDeps {
  engine: Asker;
  kb: KnowledgeBase;
}
