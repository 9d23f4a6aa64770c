import type { App as BoltApp, webApi } from '@slack/bolt';
import type { KnowledgeEntry } from '../../answers/schema.js';
import { escapeMarkup as esc } from '../../core/markup.js';
import type { Lang } from '../../domain.js';
import type { TFunction } from '../../i18n/index.js';
import type { AuditRecord, Cluster, Outcome, Review, ReviewDesk } from '../../learning/index.js';
import type { Block, Message } from './blocks.js';

/** Block Kit allows 50 blocks a message: a header, then four per cluster. */
const MAX_CLUSTERS = 10;
const EXAMPLES = 3;
const CANDIDATES = 3;
/** A static select takes at most 100 options (the knowledge base has 35 entries). */
const MAX_OPTIONS = 100;
/** Button and option texts are limited to 75 characters. */
const MAX_LABEL = 75;

const label = (text: string): string => (text.length > MAX_LABEL ? `${text.slice(0, MAX_LABEL - 1)}…` : text);
const plainText = (text: string) => ({ type: 'plain_text', text: label(text) });
const section = (text: string): Block => ({ type: 'section', text: { type: 'mrkdwn', text } });
const context = (text: string): Block => ({ type: 'context', elements: [{ type: 'mrkdwn', text }] });

/** An action's value: the cluster and, for "add", the entry (Slack signs the whole payload). */
const actionValue = (clusterId: string, entryId?: string): string => (entryId ? `${clusterId}|${entryId}` : clusterId);

function card(t: TFunction, c: Cluster, entries: Map<string, KnowledgeEntry>, lang: Lang): Block[] {
  const head = c.gaps[0]!;
  const examples = c.gaps
    .slice(0, EXAMPLES)
    .map((g) => `> ${esc(g.text)}`)
    .join('\n');
  const title = t('slack:review.cluster', { n: c.count, lang: head.lang, reason: t(`slack:review.reason.${head.reason}`) });
  const candidates = c.candidates
    .slice(0, CANDIDATES)
    .filter((k) => entries.has(k.id))
    .map((k) => ({ entry: entries.get(k.id)!, p: k.p }));
  const blocks: Block[] = [section(`*${title}*\n${examples}`)];
  if (candidates.length)
    blocks.push(
      context(
        `${t('slack:review.candidates')} ${candidates.map((k) => `\`${k.entry.id}\` ${esc(k.entry.title[lang])} (${Math.round(k.p * 100)}%)`).join(' · ')}`,
      ),
    );
  blocks.push({
    type: 'actions',
    block_id: `rv:${c.id}`,
    elements: [
      ...candidates.map((k, i) => ({
        type: 'button',
        action_id: `rv:add:${i}`,
        value: actionValue(c.id, k.entry.id),
        text: plainText(t('slack:review.addTo', { title: k.entry.title[lang] })),
      })),
      {
        type: 'static_select',
        action_id: 'rv:pick',
        placeholder: plainText(t('slack:review.pick')),
        options: [...entries.values()]
          .slice(0, MAX_OPTIONS)
          .map((e) => ({ text: plainText(`${e.title[lang]} (${e.id})`), value: actionValue(c.id, e.id) })),
      },
      { type: 'button', action_id: 'rv:none', value: c.id, text: plainText(t('slack:review.none')) },
      { type: 'button', action_id: 'rv:dismiss', value: c.id, style: 'danger', text: plainText(t('slack:review.dismiss')) },
    ],
  });
  blocks.push({ type: 'divider' });
  return blocks;
}

/** The open clusters as cards: `/privacy review` and the digest. */
export function reviewMessage(
  t: TFunction,
  clusters: Cluster[],
  entries: Map<string, KnowledgeEntry>,
  lang: Lang,
  digest = false,
): Message {
  if (!clusters.length) return { text: t('slack:review.empty'), blocks: [section(t('slack:review.empty'))] };
  const title = t(digest ? 'slack:review.digestTitle' : 'slack:review.title', { n: clusters.length });
  const blocks: Block[] = [section(`*${title}*`), context(t('slack:review.privacy'))];
  for (const c of clusters.slice(0, MAX_CLUSTERS)) blocks.push(...card(t, c, entries, lang));
  if (clusters.length > MAX_CLUSTERS) blocks.push(context(t('slack:review.more', { n: clusters.length - MAX_CLUSTERS })));
  return { text: title, blocks };
}

/** What happened, for the card's thread. */
export function outcomeText(t: TFunction, o: Outcome, who: string, entries: Map<string, KnowledgeEntry>, lang: Lang): string {
  if (!o.ok && o.reason === 'refused') {
    const lines = o.conflicts
      .slice(0, 3)
      .map((c) => t('slack:review.conflict', { text: esc(c.text), was: c.was, would: c.would, label: c.label }));
    return `${t('slack:review.refused', { n: o.conflicts.length })}\n${lines.join('\n')}`;
  }
  if (!o.ok) return t(`slack:review.${o.reason}`);
  const entry = o.entryId ? entries.get(o.entryId) : undefined;
  const what = entry ? `\`${entry.id}\` (${esc(entry.title[lang])})` : t('slack:review.notInPolicy');
  return t(`slack:review.done.${o.action}`, { who: `<@${who}>`, n: o.texts, what, version: o.version ?? 0 });
}

/** `/privacy review log`: who did what when, newest first (ids and counts only). */
export function auditMessage(t: TFunction, records: AuditRecord[], formatAt: (at: number) => string): Message {
  if (!records.length) return { text: t('slack:review.logEmpty'), blocks: [section(t('slack:review.logEmpty'))] };
  const lines = records.map((r) =>
    t('slack:review.logLine', {
      at: formatAt(r.at),
      who: `<@${r.by}>`,
      action: t(`slack:review.action.${r.action}`),
      entry: r.entryId ?? '—',
      n: r.gaps,
      outcome: t(`slack:review.outcome.${r.outcome}`),
      version: r.version ?? '—',
    }),
  );
  const title = t('slack:review.logTitle', { n: records.length });
  return { text: title, blocks: [section(`*${title}*`), section(lines.join('\n'))] };
}

/** New clusters announced in the review channel. */
export class SlackReviewDesk implements ReviewDesk {
  constructor(
    private readonly o: {
      client: webApi.WebClient;
      channel: string;
      t: TFunction;
      lang: Lang;
      entries: Map<string, KnowledgeEntry>;
    },
  ) {}

  async digest(clusters: Cluster[]): Promise<void> {
    const { client, channel, t, entries, lang } = this.o;
    await client.chat.postMessage({ channel, ...reviewMessage(t, clusters, entries, lang, true) });
  }
}

/**
 * The card's buttons and select. Bolt has checked the request's signature before this runs; the
 * outcome goes to the card's thread, where everyone who saw the card sees it.
 */
export function reviewActions(bolt: BoltApp, review: Review, t: TFunction, lang: Lang): void {
  bolt.action(/^rv:(add:\d|pick|none|dismiss)$/, async ({ ack, body, action, client }) => {
    await ack();
    if (body.type !== 'block_actions') return;
    const value = action.type === 'button' ? action.value : action.type === 'static_select' ? action.selected_option?.value : undefined;
    if (!value || !('action_id' in action)) return;
    const [clusterId = '', entryId] = value.split('|');
    const kind = action.action_id === 'rv:none' ? 'none' : action.action_id === 'rv:dismiss' ? 'dismiss' : 'add';
    const outcome = await review.act(clusterId, kind, entryId, body.user.id);
    const channel = body.channel?.id;
    const ts = body.container?.message_ts ?? body.message?.ts;
    const text = outcomeText(t, outcome, body.user.id, review.entries, lang);
    if (channel) await client.chat.postMessage({ channel, text, ...(ts ? { thread_ts: ts } : {}) });
  });
}
