/**
 * Local dates and report periods of the reports and ledgers view (报表与台账), all pure: dates are YYYY-MM-DD in the
 * district's time zone; the period a dated report covers and its neighbours; calendar quarters; and the report and
 * ledger-export forms with why their dates cannot be asked for yet.
 */
import type { LedgerExportQuery } from '../../shared/ledger.js';
import { MAX_RANGE_DAYS, type ReportKind } from '../../shared/reports.js';
import { utcDay } from '../../shared/time.js';

const DAY = 86_400_000;

// ——— local dates (YYYY-MM-DD in the district's time zone) ———

/** The district's local date of an instant. */
export function localDate(ms: number, tzOffsetMinutes: number): string {
  return new Date(ms + tzOffsetMinutes * 60_000).toISOString().slice(0, 10);
}

const toMs = (date: string): number => Date.parse(`${date}T00:00:00Z`);
const fromMs = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

export function isLocalDate(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && fromMs(toMs(value)) === value;
}

export function addDays(date: string, days: number): string {
  return fromMs(toMs(date) + days * DAY);
}

/** Whole days from `from` to `to`, both counted. */
export function daysBetween(from: string, to: string): number {
  return Math.round((toMs(to) - toMs(from)) / DAY) + 1;
}

function monthEnd(year: number, month0: number): string {
  return fromMs(utcDay(year, month0 + 1, 0));
}

/** The period a report of `kind` for `date` covers: the day, its Monday-to-Sunday week, or its calendar month. */
export function reportPeriod(kind: Exclude<ReportKind, 'range'>, date: string): { from: string; to: string; days: number } {
  if (kind === 'daily') return { from: date, to: date, days: 1 };
  if (kind === 'weekly') {
    const weekday = (new Date(toMs(date)).getUTCDay() + 6) % 7; // Monday 0
    const from = addDays(date, -weekday);
    return { from, to: addDays(from, 6), days: 7 };
  }
  const [year, month] = date.split('-').map(Number) as [number, number];
  const from = `${date.slice(0, 7)}-01`;
  const to = monthEnd(year, month - 1);
  return { from, to, days: daysBetween(from, to) };
}

/** The date of the period before (-1) or after (+1) the one holding `date`. */
export function stepPeriod(kind: Exclude<ReportKind, 'range'>, date: string, step: -1 | 1): string {
  if (kind === 'daily') return addDays(date, step);
  if (kind === 'weekly') return addDays(date, 7 * step);
  const [year, month] = date.split('-').map(Number) as [number, number];
  return fromMs(utcDay(year, month - 1 + step, 1));
}

/** The calendar quarter holding `date`, `offset` quarters on (-1: the one before). */
export function quarterOf(date: string, offset = 0): { from: string; to: string } {
  const [year, month] = date.split('-').map(Number) as [number, number];
  const q = Math.floor((month - 1) / 3) + offset;
  const start = utcDay(year, q * 3, 1);
  const first = new Date(start);
  return { from: fromMs(start), to: monthEnd(first.getUTCFullYear(), first.getUTCMonth() + 2) };
}

// ——— the report form ———

/** What the report form holds: a dated report, or a range. `street` empty means the whole district. */
export interface ReportForm {
  kind: ReportKind;
  date: string;
  from: string;
  to: string;
  street: string;
}

export type ReportProblem = { key: 'reports.problem.date' } | { key: 'reports.problem.order' } | { key: 'reports.problem.span'; n: number };

/** Why the form cannot be asked for yet (the server would answer 400), or null. */
export function reportProblem(form: ReportForm): ReportProblem | null {
  if (form.kind !== 'range') return isLocalDate(form.date) ? null : { key: 'reports.problem.date' };
  if (!isLocalDate(form.from) || !isLocalDate(form.to)) return { key: 'reports.problem.date' };
  if (form.from > form.to) return { key: 'reports.problem.order' };
  if (daysBetween(form.from, form.to) > MAX_RANGE_DAYS) return { key: 'reports.problem.span', n: MAX_RANGE_DAYS };
  return null;
}

// ——— the ledger export form ———

/** The export form: empty strings are "any". */
export interface ExportForm {
  from: string;
  to: string;
  street: string;
  community: string;
  category: string;
  kind: LedgerExportQuery['kind'] | '';
  status: LedgerExportQuery['status'] | '';
}

export function exportProblem(form: ExportForm): ReportProblem | null {
  if (!isLocalDate(form.from) || !isLocalDate(form.to)) return { key: 'reports.problem.date' };
  if (form.from > form.to) return { key: 'reports.problem.order' };
  return null;
}
