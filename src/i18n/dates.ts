import type { Lang } from '../domain.js';

/** Building an Intl.DateTimeFormat costs far more than formatting with one: one per language, zone and style. */
const formats = new Map<string, Intl.DateTimeFormat>();

function format(lang: Lang, timeZone: string, style: 'moment' | 'medium' | 'long'): Intl.DateTimeFormat {
  const key = `${lang} ${timeZone} ${style}`;
  let f = formats.get(key);
  if (!f) {
    const options: Intl.DateTimeFormatOptions =
      style === 'moment'
        ? { timeZone, weekday: 'long', day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit' }
        : { timeZone, dateStyle: style };
    f = new Intl.DateTimeFormat(lang === 'lv' ? 'lv-LV' : 'en-GB', options);
    formats.set(key, f);
  }
  return f;
}

/** "Monday 8 December at 09:00" in the reader's language, in the company's time zone. */
export function formatMoment(at: number, lang: Lang, timeZone: string): string {
  return format(lang, timeZone, 'moment').format(at);
}

/**
 * A moment inside a sentence ("…atsāks darbu sestdien, 12. decembrī, plkst. 10.00"): Latvian puts
 * the weekday and the month in the locative, which Intl does not offer; English is as formatMoment.
 */
export function formatWhen(at: number, lang: Lang, timeZone: string): string {
  if (lang !== 'lv') return formatMoment(at, lang, timeZone);
  const part = (type: Intl.DateTimeFormatPartTypes) =>
    format(lang, timeZone, 'moment')
      .formatToParts(at)
      .find((p) => p.type === type)?.value ?? '';
  // sestdiena → sestdien; decembris → decembrī, aprīlis → aprīlī; marts → martā, maijs → maijā.
  const weekday = part('weekday').replace(/a$/, '');
  const month = part('month').replace(/is$/, 'ī').replace(/s$/, 'ā');
  return `${weekday}, ${part('day')}. ${month}, plkst. ${part('hour')}.${part('minute')}`;
}

/** A date such as a request's due date: `medium` for staff listings, `long` for customers. */
export function formatDate(iso: string, lang: Lang, timeZone: string, style: 'medium' | 'long'): string {
  return format(lang, timeZone, style).format(new Date(iso));
}
