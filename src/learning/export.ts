import { dump } from 'js-yaml';
import { LANGS } from '../domain.js';
import type { Store } from '../state/store.js';
import { OVERLAY_SPACE, type OverlayDoc, readOverlay } from './overlay.js';
import { withoutMarkers } from './redact.js';

/** A reviewed text as a sample question: without the markers of redacted data and what they leave. */
function asQuestion(text: string): string {
  return withoutMarkers(text)
    .replace(/\s+([,.;:?!])/g, '$1')
    .replace(/([,;:]\s*)+$/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * The overlay as YAML to merge into knowledge/ by a pull request: per entry, the questions to add
 * to its `questions`; the questions the policy does not answer, to add to a topic's `samples` in
 * knowledge/out-of-scope/. Then `npm run train`; once merged, the overlay's exemplars repeat what
 * the model knows.
 */
export function overlayYaml(doc: OverlayDoc, at = new Date()): string {
  const entries: Record<string, { lv: string[]; en: string[] }> = {};
  const outOfScope = { lv: [] as string[], en: [] as string[] };
  for (const change of doc.changes) {
    const target = change.kind === 'add' && change.entryId ? (entries[change.entryId] ??= { lv: [], en: [] }) : outOfScope;
    for (const { text, lang } of change.texts) {
      const q = asQuestion(text);
      if (q && !target[lang].includes(q)) target[lang].push(q);
    }
  }
  const header = [
    `# Knowledge overlay version ${doc.version}, exported ${at.toISOString()}: questions staff accepted in review.`,
    "# Texts were redacted before they were kept; reword any that still read as one customer's case.",
    "# entries.<id>.<lang>: add to that entry's questions.<lang> in knowledge/*.yaml;",
    "# out_of_scope.<lang>: add to a topic's samples.<lang> in knowledge/out-of-scope/; then npm run train.",
  ];
  const body = { version: doc.version, entries, out_of_scope: Object.fromEntries(LANGS.map((l) => [l, outOfScope[l]])) };
  return `${header.join('\n')}\n${dump(body, { lineWidth: 120, noRefs: true })}`;
}

/** `thunder kb export`: the overlay as the store holds it now. */
export async function exportOverlay(store: Store): Promise<string> {
  return overlayYaml(await readOverlay(store.kv(OVERLAY_SPACE)));
}
