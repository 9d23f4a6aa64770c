import type { KnowledgeBase } from '../answers/schema.js';
import { KnowledgeError } from '../core/errors.js';

export interface Contacts {
  email: string;
  phone: string;
}

/** The company's contacts are a policy fact: the entry of knowledge/ that states them carries them. */
export function contactsOf(kb: KnowledgeBase): Contacts {
  for (const entry of kb.entries.values()) if (entry.contacts) return entry.contacts;
  throw new KnowledgeError('knowledge/: no entry has `contacts: { email, phone }`; the bot needs them to hand customers over honestly');
}
