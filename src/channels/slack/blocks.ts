import type { Answer } from '../../answers/engine.js';
import { escapeMarkup as esc } from '../../core/markup.js';
import type { TFunction } from '../../i18n/index.js';
import type { DeskNote, RequestNotice, Ticket } from '../../escalation/index.js';
import type { DayCounts } from '../../escalation/stats.js';
import { type EntryVotes, VOTES, type Vote } from '../../feedback/index.js';
import type { RequestView } from '../../requests/index.js';

/** Block Kit blocks: loose JSON on purpose, Slack validates them. */
export type Block = Record<string, unknown>;
export interface Message {
  /** Plain-text fallback for notifications and screen readers. */
  text: string;
  blocks: Block[];
}

/** Section text is limited to 3000 characters. */
const MAX_SECTION = 2900;

/** Slack mrkdwn needs only these three escaped; everything else is shown as typed. */

function clip(text: string): string {
  return text.length > MAX_SECTION ? `${text.slice(0, MAX_SECTION - 1)}…` : text;
}

function section(text: string): Block {
  return { type: 'section', text: { type: 'mrkdwn', text: clip(text) } };
}

function context(text: string): Block {
  return { type: 'context', elements: [{ type: 'mrkdwn', text: clip(text) }] };
}

/**
 * The answer a customer would get, plus what staff need to check it: the verbatim policy text and
 * its section; with `rate` (the rated answer's tag), 👍/👎 buttons under it.
 */
export function staffAnswer(t: TFunction, a: Answer, rate?: string): Message {
  const { lang } = a;
  const related = a.suggestions.map((s) => `• ${esc(s.title[lang])} (\`${s.id}\`)`).join('\n');
  if (!a.entry) {
    const blocks = [section(t('slack:noAnswer'))];
    if (related) blocks.push(section(`*${t('slack:didYouMean')}*\n${related}`));
    return { text: t('slack:noAnswer'), blocks };
  }
  const e = a.entry;
  const blocks: Block[] = [
    section(esc(e.answer[lang])),
    section(`*${t('slack:policyQuote')}*\n${e.source.map((q) => `> ${esc(q)}`).join('\n')}`),
    context(t('slack:answerMeta', { section: esc(e.section.title[lang]), id: e.id, confidence: Math.round(a.confidence * 100) })),
  ];
  if (related) blocks.push(context(`${t('slack:related')} ${a.suggestions.map((s) => esc(s.title[lang])).join(' · ')}`));
  if (rate) blocks.push(ratingActions(t, rate));
  return { text: e.answer[lang], blocks };
}

function ratingActions(t: TFunction, rate: string): Block {
  const button = (vote: Vote) => ({
    type: 'button',
    action_id: `fb:${vote}`,
    value: rate,
    text: { type: 'plain_text', text: t(`feedback:${vote}`), emoji: true },
    accessibility_label: t(`slack:rate.${vote}`),
  });
  return { type: 'actions', block_id: `fb:${rate}`, elements: VOTES.map(button) };
}

function status(t: TFunction, ticket: Ticket): string {
  if (ticket.status === 'claimed') return t('slack:statusClaimed', { agent: `<@${ticket.claimedBy}>` });
  if (ticket.status === 'resolved') {
    if (ticket.erased) return t('slack:statusErased');
    if (ticket.left) return t('slack:statusLeft');
    return t('slack:statusResolved', { agent: `<@${ticket.resolvedBy}>` });
  }
  return t('slack:statusOpen');
}

/** The ticket message in the support channel; re-rendered on claim and resolve. */
export function ticketMessage(t: TFunction, ticket: Ticket, formatTime: (at: number) => string): Message {
  const fields = [
    `*${t('slack:fieldChannel')}*\n${ticket.channel}`,
    `*${t('slack:fieldLanguage')}*\n${ticket.lang}`,
    `*${t('slack:fieldOpened')}*\n${formatTime(ticket.createdAt)}`,
    `*${t('slack:fieldStatus')}*\n${status(t, ticket)}`,
  ];
  if (ticket.expectedAt && ticket.status === 'open') fields.push(`*${t('slack:fieldPromised')}*\n${formatTime(ticket.expectedAt)}`);
  const blocks: Block[] = [
    { type: 'header', text: { type: 'plain_text', text: t('slack:ticketTitle', { id: ticket.id }) } },
    { type: 'section', fields: fields.map((text) => ({ type: 'mrkdwn', text })) },
  ];
  if (ticket.erased) blocks.push(section(t('slack:erased')));
  else if (ticket.turns.length) {
    const lines = ticket.turns.map((turn) => `*${turn.from === 'user' ? t('slack:customer') : t('slack:bot')}:* ${esc(turn.text)}`);
    // Keep the latest turns when the transcript is too long for one block.
    let transcript = lines.join('\n');
    while (transcript.length > MAX_SECTION && lines.length > 1) {
      lines.shift();
      transcript = lines.join('\n');
    }
    blocks.push(section(`*${t('slack:transcript')}*\n${transcript}`));
  }
  if (ticket.status !== 'resolved') {
    const buttons: Block[] = [];
    if (ticket.status === 'open') {
      buttons.push({
        type: 'button',
        action_id: 'esc:claim',
        value: ticket.id,
        style: 'primary',
        text: { type: 'plain_text', text: t('slack:claim') },
      });
    }
    buttons.push({ type: 'button', action_id: 'esc:resolve', value: ticket.id, text: { type: 'plain_text', text: t('slack:resolve') } });
    blocks.push({ type: 'actions', block_id: `ticket:${ticket.id}`, elements: buttons });
    blocks.push(context(t('slack:replyHint')));
  }
  return { text: t('slack:ticketText', { id: ticket.id, channel: ticket.channel, status: status(t, ticket) }), blocks };
}

/** How staff know the Meta channels. */
const CHANNEL_NAMES: Record<string, string> = { messenger: 'Messenger', instagram: 'Instagram', whatsapp: 'WhatsApp' };

export function noteText(t: TFunction, note: DeskNote): string {
  switch (note.kind) {
    case 'customer':
      return `*${t('slack:customer')}:* ${esc(note.text)}`;
    case 'unsupported':
      return t('slack:noteUnsupported', { what: esc(note.what) });
    case 'forgotten':
      return note.kept ? t('slack:noteForgottenKept', { count: note.kept }) : t('slack:noteForgotten');
    case 'left':
      return t('slack:noteLeft');
    case 'unreachable':
      return t(`slack:noteUnreachable.${note.reason}`, { channel: CHANNEL_NAMES[note.channel] ?? note.channel });
  }
}

export function requestNotice(t: TFunction, r: RequestNotice, formatDate: (iso: string) => string): Message {
  const type = t(`slack:right.${r.type}`);
  const text =
    r.kind === 'created'
      ? t('slack:requestNew', { id: r.id, type, due: formatDate(r.dueAt) })
      : t('slack:requestRejected', { id: r.id, type, status: r.status, code: r.code });
  return { text, blocks: [section(text)] };
}

/** Open requests, overdue first, then by due date. */
export function requestList(t: TFunction, requests: RequestView[], now: number, formatDate: (iso: string) => string): Message {
  if (!requests.length) return { text: t('slack:requestsNone'), blocks: [section(t('slack:requestsNone'))] };
  const overdue = (r: RequestView) => Date.parse(r.dueAt) < now;
  const sorted = [...requests].sort((a, b) => Number(overdue(b)) - Number(overdue(a)) || a.dueAt.localeCompare(b.dueAt));
  const lines = sorted.map((r) =>
    t(overdue(r) ? 'slack:requestLineOverdue' : 'slack:requestLine', {
      id: r.ref ?? r.id,
      type: t(`slack:right.${r.type}`),
      status: t(`slack:requestStatus.${r.status}`),
      due: formatDate(r.dueAt),
    }),
  );
  const title = t('slack:requestsTitle', { count: sorted.length, overdue: sorted.filter(overdue).length });
  return { text: title, blocks: [section(`*${title}*`), section(lines.join('\n'))] };
}

export function statsMessage(t: TFunction, days: { day: string; counts: DayCounts }[], votes?: EntryVotes[]): Message {
  const cols = [t('slack:statsDay'), t('slack:statsAnswered'), t('slack:statsUnanswered'), t('slack:statsEscalations')];
  const total = { answered: 0, unanswered: 0, escalations: 0 };
  const rows = days.map(({ day, counts }) => {
    total.answered += counts.answered;
    total.unanswered += counts.unanswered;
    total.escalations += counts.escalations;
    return [day, counts.answered, counts.unanswered, counts.escalations].map(String);
  });
  rows.push([t('slack:statsTotal'), total.answered, total.unanswered, total.escalations].map(String));
  const widths = cols.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (r: string[]) => r.map((v, i) => v.padEnd(widths[i] ?? 0)).join('  ');
  const table = [line(cols), ...rows.map(line)].join('\n');
  const title = t('slack:statsTitle', { days: days.length });
  const blocks = [section(`*${title}*`), section(`\`\`\`${table}\`\`\``)];
  if (votes) blocks.push(section(feedbackLines(t, votes)));
  return { text: title, blocks };
}

/** Votes per entry, most 👎 first: where the answers need work. */
function feedbackLines(t: TFunction, votes: EntryVotes[]): string {
  const title = `*${t('slack:statsFeedback')}*`;
  if (!votes.length) return `${title}\n${t('slack:statsFeedbackNone')}`;
  const lines = votes.map((v) => t('slack:statsFeedbackLine', { id: v.entry, up: v.up, down: v.down }));
  // Keep the section under Slack's limit: the entries with the most 👎 come first.
  while (lines.join('\n').length > MAX_SECTION - title.length - 1) lines.pop();
  return `${title}\n${lines.join('\n')}`;
}

export function plain(text: string): Message {
  return { text, blocks: [section(text)] };
}
