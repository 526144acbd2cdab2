/**
 * Durations as the wall shows them: short enough for a chip read from 5 m. Under a day a countdown ticks to the
 * second (hh:mm:ss); past a day, seconds are noise at that distance, so it says days and hours.
 */
import type { MessageKey, MessageParams } from '../../lib/i18n.js';

type Translate = (key: MessageKey, params?: MessageParams) => string;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const pad = (n: number) => String(n).padStart(2, '0');

/** Time left until `dueMs` (or, past it, the time since it), whole seconds rounded towards the deadline. */
export function countdownText(dueMs: number, nowMs: number, t: Translate): string {
  const left = dueMs - nowMs;
  const seconds = left < 0 ? Math.floor(-left / 1000) : Math.ceil(left / 1000);
  if (seconds >= DAY / 1000) return t('board.countdown.days', { d: Math.floor(seconds / 86_400), h: Math.floor((seconds % 86_400) / 3600) });
  return `${pad(Math.floor(seconds / 3600))}:${pad(Math.floor((seconds % 3600) / 60))}:${pad(seconds % 60)}`;
}

/** How long ago a whistle was blown. */
export function agoText(atMs: number, nowMs: number, t: Translate): string {
  const ms = Math.max(0, nowMs - atMs);
  if (ms < MINUTE) return t('board.ago.now');
  if (ms < HOUR) return t('board.ago.minutes', { m: Math.floor(ms / MINUTE) });
  if (ms < DAY) return t('board.ago.hours', { h: Math.floor(ms / HOUR), m: Math.floor((ms % HOUR) / MINUTE) });
  return t('board.ago.days', { d: Math.floor(ms / DAY), h: Math.floor((ms % DAY) / HOUR) });
}

/** A mean duration in minutes: "35分", "2.5时", "1.2天". */
export function durationText(minutes: number, t: Translate): string {
  if (minutes < 60) return t('board.duration.minutes', { n: Math.round(minutes) });
  if (minutes < 24 * 60) return t('board.duration.hours', { n: round1(minutes / 60) });
  return t('board.duration.days', { n: round1(minutes / (24 * 60)) });
}

/** A rate as a whole percentage: the board has no room (and a viewer at 5 m no use) for decimals. */
export function wholePercent(rate: number | null): string | null {
  return rate === null ? null : `${Math.round(rate * 100)}%`;
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

/** The span a board really covers, for its title: 今日 / 近N天 (shared/wall-dispatch.ts `boardPeriod`). */
export function periodText(period: { days: number }, t: Translate): string {
  if (period.days <= 0) return t('board.period.none');
  return period.days === 1 ? t('board.period.today') : t('board.period.days', { n: period.days });
}
