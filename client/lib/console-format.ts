/**
 * Pure helpers of the duty and department consoles: countdowns to a department's deadlines, roll-call states, place
 * labels and department look-ups. No Svelte, no network: unit-tested in tests/client/dispatch-format.test.ts.
 */
import type { DepartmentInfo } from '../../shared/geo.js';
import type { Stage } from '../../shared/dispatch.js';
import type { AssignmentState } from '../../shared/lifecycle.js';
import { rollCall, type RollCall } from '../../shared/wall-dispatch.js';
import type { Localized } from '../../shared/vocabulary.js';
import type { MessageKey, MessageParams } from './i18n.js';

type Translate = (key: MessageKey, params?: MessageParams) => string;

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export interface Countdown {
  /** Past the deadline: the figures count the time since it. */
  overdue: boolean;
  /** Less than an hour left. */
  soon: boolean;
  days: number;
  /** hh:mm:ss of what is left after whole days. */
  clock: string;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Time left until `dueMs` at `nowMs`, to the second; after it, time since it. */
export function countdown(dueMs: number, nowMs: number): Countdown {
  const left = dueMs - nowMs;
  const overdue = left < 0;
  // Whole seconds, rounded towards the deadline so a countdown reaches 00:00:00 exactly at it.
  const total = overdue ? Math.floor(-left / SECOND) : Math.ceil(left / SECOND);
  const days = Math.floor(total / 86_400);
  const rest = total % 86_400;
  const clock = `${pad(Math.floor(rest / 3600))}:${pad(Math.floor((rest % 3600) / 60))}:${pad(rest % 60)}`;
  return { overdue, soon: !overdue && left < HOUR, days, clock };
}

/** "剩 1天 02:03:04" / "超时 00:05:00". */
export function countdownText(c: Countdown, t: Translate): string {
  const time = c.days > 0 ? t('dispatch.countdown.days', { days: c.days, clock: c.clock }) : c.clock;
  return t(c.overdue ? 'dispatch.countdown.over' : 'dispatch.countdown.left', { time });
}

/** The deadline a department's part is running against now: report-in while pending, resolution once reported. */
export function partDeadline(a: Pick<AssignmentState, 'status' | 'reportDueAt' | 'resolveDueAt'>): { stage: Stage; dueMs: number } | null {
  if (a.status === 'pending') return { stage: 'reportIn', dueMs: Date.parse(a.reportDueAt) };
  if (a.status === 'reported') return { stage: 'resolve', dueMs: Date.parse(a.resolveDueAt) };
  return null;
}

/** Roll-call state (shared with the wall): 已报到 / 迟报到 / 待报到 / 超时未报到 / 已退单. */
export function rollCallOf(a: AssignmentState, nowMs: number): RollCall {
  // `closed` parts belong to a finished whistle: they keep whatever they had reached.
  const status = a.status === 'closed' ? (a.reportedAt ? 'reported' : 'pending') : a.status;
  return rollCall({ ...a, status }, nowMs);
}

/** A whistle needs chasing: a part past its report-in deadline, or a reported lead past its resolution deadline. */
export function whistleOverdue(assignments: readonly AssignmentState[], nowMs: number): boolean {
  return assignments.some((a) => (a.status === 'pending' && nowMs > Date.parse(a.reportDueAt)) || (a.status === 'reported' && a.role === 'lead' && nowMs > Date.parse(a.resolveDueAt)));
}

/** The roll-call board's order: whistles that need chasing first, otherwise as the server sent them (newest first). */
export function boardOrder<T extends { whistle: { assignments: AssignmentState[] } }>(rows: readonly T[], nowMs: number): T[] {
  const overdue = rows.filter((r) => whistleOverdue(r.whistle.assignments, nowMs));
  return overdue.length ? [...overdue, ...rows.filter((r) => !overdue.includes(r))] : [...rows];
}

export interface PlaceNames {
  street: (code: string) => string;
  community: (code: string) => string | undefined;
}

/** 街道 · 社区: always with the street, because community names repeat across streets. */
export function placeLabel(names: PlaceNames, streetCode: string, communityCode: string): string {
  const street = names.street(streetCode) || streetCode;
  const community = names.community(communityCode);
  return community ? `${street} · ${community}` : street;
}

export interface DepartmentGroups {
  agencies: DepartmentInfo[];
  streets: DepartmentInfo[];
}

function matches(d: DepartmentInfo, needle: string): boolean {
  if (!needle) return true;
  const names: Localized[] = [d.name, d.short];
  return d.id.toLowerCase().includes(needle) || names.some((n) => n.zh.toLowerCase().includes(needle) || n.en.toLowerCase().includes(needle));
}

/** Departments matching a search, agencies first, street offices (街道办) grouped after them; `first` leads its group. */
export function departmentGroups(departments: readonly DepartmentInfo[], query: string, first?: string): DepartmentGroups {
  const needle = query.trim().toLowerCase();
  const found = departments.filter((d) => matches(d, needle));
  const ordered = first ? [...found.filter((d) => d.id === first), ...found.filter((d) => d.id !== first)] : found;
  return { agencies: ordered.filter((d) => d.kind !== 'street'), streets: ordered.filter((d) => d.kind === 'street') };
}

/** The street office of a street, by the `street-<code>` convention of the routing data. */
export function streetOfficeId(streetCode: string): string {
  return `street-${streetCode}`;
}
