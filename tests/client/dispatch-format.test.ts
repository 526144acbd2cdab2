import { describe, expect, it } from 'vitest';
import type { DepartmentInfo } from '../../shared/geo.js';
import { boardOrder, countdown, countdownText, departmentGroups, partDeadline, placeLabel, rollCallOf, streetOfficeId, whistleOverdue } from '../../client/lib/console-format.js';
import { translate } from '../../client/lib/i18n.js';
import { part, T0 } from './dispatch-fixtures.js';

const zh = (key: Parameters<typeof translate>[1], params?: Parameters<typeof translate>[2]) => translate('zh', key, params);
const en = (key: Parameters<typeof translate>[1], params?: Parameters<typeof translate>[2]) => translate('en', key, params);

describe('countdown', () => {
  it('counts down to the second, rounding towards the deadline', () => {
    expect(countdown(T0 + 3_723_000, T0)).toEqual({ overdue: false, soon: false, days: 0, clock: '01:02:03' });
    expect(countdown(T0 + 59_001, T0).clock).toBe('00:01:00');
    expect(countdown(T0 + 1_000, T0)).toMatchObject({ clock: '00:00:01', soon: true });
    expect(countdown(T0, T0)).toMatchObject({ overdue: false, clock: '00:00:00' });
  });

  it('splits whole days off long deadlines', () => {
    expect(countdown(T0 + 2 * 86_400_000 + 5_000, T0)).toMatchObject({ days: 2, clock: '00:00:05', soon: false });
  });

  it('counts up past the deadline', () => {
    expect(countdown(T0, T0 + 90_500)).toEqual({ overdue: true, soon: false, days: 0, clock: '00:01:30' });
  });

  it('reads in both languages', () => {
    expect(countdownText(countdown(T0 + 86_400_000 + 61_000, T0), zh)).toBe('剩 1天 00:01:01');
    expect(countdownText(countdown(T0, T0 + 5_000), zh)).toBe('超时 00:00:05');
    expect(countdownText(countdown(T0 + 5_000, T0), en)).toBe('00:00:05 left');
  });
});

describe('department parts', () => {
  it('runs against report-in while pending, resolution once reported, nothing after', () => {
    expect(partDeadline(part('labour'))).toEqual({ stage: 'reportIn', dueMs: T0 + 3_600_000 });
    expect(partDeadline(part('labour', { status: 'reported' }))).toEqual({ stage: 'resolve', dueMs: T0 + 86_400_000 });
    expect(partDeadline(part('labour', { status: 'returned' }))).toBeNull();
  });

  it('calls the roll like the wall does', () => {
    expect(rollCallOf(part('labour'), T0)).toBe('pending');
    expect(rollCallOf(part('labour'), T0 + 3_600_001)).toBe('overdue');
    expect(rollCallOf(part('labour', { status: 'reported', late: false }), T0)).toBe('reported');
    expect(rollCallOf(part('labour', { status: 'reported', late: true }), T0)).toBe('late');
    expect(rollCallOf(part('labour', { status: 'returned' }), T0)).toBe('returned');
    expect(rollCallOf(part('labour', { status: 'closed', reportedAt: new Date(T0).toISOString() }), T0 + 9e9)).toBe('reported');
  });
});

describe('roll-call board order', () => {
  it('puts whistles that need chasing first, the rest as sent', () => {
    const row = (id: string, ...parts: ReturnType<typeof part>[]) => ({ id, whistle: { assignments: parts } });
    const rows = [
      row('new', part('labour')),
      row('late-report', part('police', { reportDueAt: new Date(T0 - 1).toISOString() })),
      row('late-resolve', part('court', { role: 'lead', status: 'reported', resolveDueAt: new Date(T0 - 1).toISOString() })),
      row('assist-reported', part('justice', { status: 'reported', resolveDueAt: new Date(T0 - 1).toISOString() })),
    ];
    expect(boardOrder(rows, T0).map((r) => r.id)).toEqual(['late-report', 'late-resolve', 'new', 'assist-reported']);
    expect(whistleOverdue(rows[0]!.whistle.assignments, T0)).toBe(false);
  });
});

describe('names', () => {
  it('always names the street with the community', () => {
    const names = { street: (c: string) => (c === '440307013' ? '坂田街道' : ''), community: (c: string) => (c === '440307013002' ? '岗头社区' : undefined) };
    expect(placeLabel(names, '440307013', '440307013002')).toBe('坂田街道 · 岗头社区');
    expect(placeLabel(names, '440307013', '440307013999')).toBe('坂田街道');
    expect(placeLabel(names, '440307099', '440307099001')).toBe('440307099');
  });

  it('finds departments by any name, agencies first and street offices grouped, own street first', () => {
    const dept = (id: string, zhName: string, en: string, kind: DepartmentInfo['kind'] = 'agency'): DepartmentInfo => ({ id, kind, name: { zh: zhName, en }, short: { zh: zhName, en } });
    const all = [dept('labour', '人力资源局', 'Labour'), dept('street-1', '平湖街道', 'Pinghu', 'street'), dept('police', '公安分局', 'Police'), dept('street-2', '坂田街道', 'Bantian', 'street')];
    const g = departmentGroups(all, '', 'street-2');
    expect(g.agencies.map((d) => d.id)).toEqual(['labour', 'police']);
    expect(g.streets.map((d) => d.id)).toEqual(['street-2', 'street-1']);
    expect(departmentGroups(all, '街道').agencies).toEqual([]);
    expect(departmentGroups(all, ' pol ').agencies.map((d) => d.id)).toEqual(['police']);
    expect(departmentGroups(all, 'LABOUR').agencies.map((d) => d.id)).toEqual(['labour']);
    expect(streetOfficeId('440307013')).toBe('street-440307013');
  });
});
