import type { TFunction } from 'i18next';
import type { Lang } from '../domain.js';
import { formatDate } from '../i18n/dates.js';
import type { Reply } from '../core/types.js';
import { addCalendarMonth } from './contract.js';
import type { OutboxItem, RequestView } from './outbox.js';

/** Replies shared by the flow and the outbox; every string comes from locales/<lang>/requests.json. */

export function statusButton(t: TFunction): Reply['buttons'] {
  return [[{ label: t('requests:button.status'), data: 'cmd:status' }]];
}

export function acceptedReplies(t: TFunction, item: OutboxItem, timeZone: string): Reply[] {
  const lang = item.lang;
  return [
    {
      text: t('requests:accepted', {
        right: t(`requests:right.${item.type}`),
        ref: item.ref,
        due: formatDate(item.dueAt ?? addCalendarMonth(new Date(item.receivedAt)).toISOString(), lang, timeZone, 'long'),
      }),
      buttons: statusButton(t),
    },
  ];
}

export function rejectedReplies(t: TFunction, item: OutboxItem): Reply[] {
  const code = item.rejection?.code;
  const reason = code === 'validation_failed' || code === 'idempotency_key_reuse' ? code : 'other';
  return [
    {
      text: t('requests:rejected', { right: t(`requests:right.${item.type}`), reason: t(`requests:rejectReason.${reason}`) }),
      buttons: [[{ label: t('requests:button.startAgain'), data: 'rq:start' }]],
    },
  ];
}

/** The API kept refusing the request: nothing was filed; the customer gets the company's e-mail instead. */
export function parkedReplies(t: TFunction, item: OutboxItem, email: string): Reply[] {
  return [
    {
      text: t('requests:parked', { right: t(`requests:right.${item.type}`), email }),
      buttons: [[{ label: t('requests:button.startAgain'), data: 'rq:start' }]],
    },
  ];
}

/** `email`: where to ask about a request filed from another chat, quoting its number. */
export function statusReply(t: TFunction, lang: Lang, views: RequestView[], stale: boolean, timeZone: string, email: string): Reply {
  if (!views.length) return { text: `${t('requests:statusNone')} ${t('requests:statusElsewhere', { email })}` };
  const lines = views.map((v) =>
    t('requests:statusLine', {
      right: t(`requests:right.${v.type}`),
      status: t(`requests:status.${v.status}`),
      ref: v.ref ? t('requests:statusRef', { ref: v.ref }) : '',
      due: formatDate(v.dueAt, lang, timeZone, 'long'),
    }),
  );
  return { text: [t('requests:statusTitle'), ...lines, ...(stale ? [t('requests:statusStale')] : [])].join('\n') };
}

/** Before /forget: the open requests' numbers, which this chat will no longer know, and where to ask about them. */
export function openRequestsNote(t: TFunction, views: RequestView[], email: string): Reply {
  const lines = views.map((v) =>
    t('requests:forgetRequestLine', { right: t(`requests:right.${v.type}`), ref: v.ref ?? t('requests:forgetNoRef') }),
  );
  return { text: [t('requests:forgetRequests'), ...lines, t('requests:forgetRequestsAsk', { email })].join('\n') };
}
