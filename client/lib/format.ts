/** Display formatting in the district's own time zone (fixed offset: China has no DST), whatever the wall PC says. */
import type { ApiFailure } from './api.js';
import { serverErrorText } from './error-text.js';
import type { MessageKey, MessageParams } from './i18n.js';

type Translate = (key: MessageKey, params?: MessageParams) => string;

function shifted(ms: number, tzOffsetMinutes: number): string {
  return new Date(ms + tzOffsetMinutes * 60_000).toISOString();
}

/** hh:mm:ss */
export function clockTime(ms: number, tzOffsetMinutes: number): string {
  return shifted(ms, tzOffsetMinutes).slice(11, 19);
}

/** hh:mm */
export function shortTime(ms: number, tzOffsetMinutes: number): string {
  return shifted(ms, tzOffsetMinutes).slice(11, 16);
}

/**
 * MM-DD hh:mm, or YYYY-MM-DD hh:mm when `ms` is not in the current year (district time): an imported case from last
 * year must not read as this year's.
 */
export function dayTime(ms: number, tzOffsetMinutes: number, nowMs: number = Date.now()): string {
  const iso = shifted(ms, tzOffsetMinutes);
  const sameYear = iso.slice(0, 4) === shifted(nowMs, tzOffsetMinutes).slice(0, 4);
  return `${sameYear ? iso.slice(5, 10) : iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}

/**
 * When something happened, as a live feed says it: hh:mm:ss today (district time), otherwise the date as well
 * (`dayTime`, with the year when not this year), so a backdated alert never reads as today's.
 */
export function eventTime(ms: number, tzOffsetMinutes: number, nowMs: number = Date.now()): string {
  const iso = shifted(ms, tzOffsetMinutes);
  if (iso.slice(0, 10) === shifted(nowMs, tzOffsetMinutes).slice(0, 10)) return iso.slice(11, 19);
  return dayTime(ms, tzOffsetMinutes, nowMs);
}

/** Local hour label (hh) of an epoch hour. */
export function hourLabel(epochHour: number, tzOffsetMinutes: number): string {
  return shifted(epochHour * 3_600_000, tzOffsetMinutes).slice(11, 13);
}

/** MM-DD of a yyyy-mm-dd day key. */
export function dayLabel(dayKey: string): string {
  return dayKey.slice(5);
}

export function percent(rate: number | null): string | null {
  return rate === null ? null : `${(rate * 100).toFixed(1)}%`;
}

const thousands = new Intl.NumberFormat('en-US');

export function grouped(n: number): string {
  return thousands.format(n);
}

export function failureText(error: ApiFailure, t: Translate): string {
  switch (error.kind) {
    case 'network':
      return t('error.network');
    case 'parse':
      return t('error.parse');
    case 'http':
      return serverErrorText(error, t) ?? t('error.http', { status: error.status });
  }
}

/**
 * An alert's title on the wall in the UI's language. The wall's alert titles are the server's Chinese (a risk rule's
 * own title, or the label that stands in for an outside system's typed title): in Chinese they show as they are; in
 * English a rule's alert is named by its rule and an outside system's by a label.
 */
export function wallAlertTitle(alert: { title: string; rule?: string }, lang: 'zh' | 'en', t: Translate): string {
  if (lang === 'zh') return alert.title;
  return alert.rule ? t(`rule.${alert.rule}` as MessageKey) : t('wall.alertExternal');
}
