import { describe, expect, it } from 'vitest';
import type { AlertRecord } from '../../shared/risk.js';
import { alertCommandFailure } from '../../client/lib/alerts-api.js';
import { actorName, ageText, alertErrorText, alertOrder, factsText, levelCounts, probability, ruleLabel, whistleStart } from '../../client/lib/alerts-format.js';
import { translate } from '../../client/lib/i18n.js';
import { summary, T0 } from './dispatch-fixtures.js';

const zh = (key: Parameters<typeof translate>[1], params?: Parameters<typeof translate>[2]) => translate('zh', key, params);
const en = (key: Parameters<typeof translate>[1], params?: Parameters<typeof translate>[2]) => translate('en', key, params);
const iso = (ms: number) => new Date(ms).toISOString();
const MIN = 60_000;

function alert(id: string, overrides: Partial<AlertRecord> = {}): AlertRecord {
  return {
    id,
    seq: 10,
    version: 10,
    source: 'system',
    level: 'yellow',
    title: '坂田街道岗头社区劳动纠纷激增',
    streetCode: '440307013',
    communityCode: '440307013003',
    raisedAt: iso(T0),
    lastSignalAt: iso(T0),
    updates: 0,
    status: 'raised',
    caseIds: [],
    facts: {},
    periods: [],
    whistles: [],
    ...overrides,
  };
}

describe('alert order', () => {
  it('lists the most severe first, the unacknowledged before the acknowledged, then the newest signal', () => {
    const list = [
      alert('yellow-new', { level: 'yellow', lastSignalAt: iso(T0 + 10 * MIN) }),
      alert('red-acked', { level: 'red', status: 'acknowledged', lastSignalAt: iso(T0 + 9 * MIN) }),
      alert('blue', { level: 'blue', lastSignalAt: iso(T0 + 20 * MIN) }),
      alert('red-old', { level: 'red', lastSignalAt: iso(T0) }),
      alert('red-new', { level: 'red', lastSignalAt: iso(T0 + 5 * MIN) }),
      alert('orange', { level: 'orange' }),
      alert('yellow-old', { level: 'yellow', lastSignalAt: iso(T0 + MIN) }),
    ];
    expect(alertOrder(list).map((a) => a.id)).toEqual(['red-new', 'red-old', 'red-acked', 'orange', 'yellow-new', 'yellow-old', 'blue']);
  });

  it('puts closed alerts after open ones, the most recently closed first', () => {
    const closed = (id: string, at: number): AlertRecord => alert(id, { status: 'closed', level: 'red', closed: { actor: { role: 'duty', id: 'duty' }, at: iso(at), note: '已处置' } });
    const list = [closed('early', T0), alert('open-blue', { level: 'blue' }), closed('late', T0 + MIN)];
    expect(alertOrder(list).map((a) => a.id)).toEqual(['open-blue', 'late', 'early']);
  });

  it('does not reorder the list it was given', () => {
    const list = [alert('b', { level: 'blue' }), alert('r', { level: 'red' })];
    alertOrder(list);
    expect(list.map((a) => a.id)).toEqual(['b', 'r']);
  });

  it('counts open alerts per level from red to blue, zero when the server left a level out', () => {
    expect(levelCounts({ red: 2, orange: 0, yellow: 5 } as never)).toEqual([
      { level: 'red', count: 2 },
      { level: 'orange', count: 0 },
      { level: 'yellow', count: 5 },
      { level: 'blue', count: 0 },
    ]);
  });
});

describe('facts in words', () => {
  it('reads a spike with its window, counts, ratio and p-value', () => {
    const spike = { rule: 'spike' as const, facts: { observed: 9, expected: 1.43, ratio: 6.29, pValue: 0.0000123, windowHours: 24, baselineDays: 28 } };
    expect(factsText(spike, zh)).toBe('24小时 9 件，基线预期 1.4 件（6.3 倍，p=1e-5）');
    expect(factsText(spike, en)).toBe('9 in 24 h, 1.4 expected (6.3×, p=1e-5)');
  });

  it('reads each rule from the figures the rules engine writes', () => {
    expect(factsText({ rule: 'collective', facts: { people: 40, minPeople: 30 } }, zh)).toBe('涉及 40 人');
    expect(factsText({ rule: 'respondent', facts: { cases: 4, withinDays: 30 } }, zh)).toBe('30 天内 4 件针对同一被申请人');
    expect(factsText({ rule: 'repeatPetition', facts: { petitions: 3, withinDays: 30 } }, zh)).toBe('30 天内信访 3 次');
    expect(factsText({ rule: 'skipTier', facts: { petitionLevel: 'province', petitions: 1, lookbackDays: 90 } }, zh)).toBe('越级至省级');
    expect(factsText({ rule: 'skipTier', facts: { petitionLevel: 'city' } }, en)).toBe('lodged at city level');
    expect(factsText({ rule: 'staleHighSeverity', facts: { cases: 3, maxSeverity: 5, oldestHours: 130, afterHours: 120 } }, zh)).toBe('3 件高风险案件超时未结（最高5级，最长 130 小时）');
  });

  it('says nothing for alerts from outside systems or with figures missing', () => {
    expect(factsText({ facts: {} }, zh)).toBeNull();
    expect(factsText({ rule: 'spike', facts: { observed: 9 } }, zh)).toBeNull();
    expect(factsText({ rule: 'skipTier', facts: { petitionLevel: 'moon' } }, zh)).toBeNull();
    expect(factsText({ rule: 'collective', facts: { people: 'many' } }, zh)).toBeNull();
  });

  it('keeps small probabilities readable and never shows zero', () => {
    expect(probability(0.0123)).toBe('0.012');
    expect(probability(0.001)).toBe('0.001');
    expect(probability(0.000456)).toBe('5e-4');
    expect(probability(0)).toBe('<1e-9');
  });

  it('labels the rule, or the outside system', () => {
    expect(ruleLabel('collective', zh)).toBe('群体性事件');
    expect(ruleLabel(undefined, zh)).toBe('外部系统');
  });
});

describe('ages and actors', () => {
  it('says how long ago in whole units', () => {
    expect(ageText(T0, T0 + 59_999, zh)).toBe('刚刚');
    expect(ageText(T0, T0 + 5 * MIN + 1, zh)).toBe('5分钟前');
    expect(ageText(T0, T0 + 3 * 60 * MIN, zh)).toBe('3小时前');
    expect(ageText(T0, T0 + 50 * 60 * MIN, en)).toBe('2 d ago');
    // A desk clock slightly behind the server's never shows a negative age.
    expect(ageText(T0 + 2000, T0, zh)).toBe('刚刚');
  });

  it('names who acted, or their role', () => {
    expect(actorName({ role: 'duty', id: '张三', name: '张三' }, zh)).toBe('张三');
    expect(actorName({ role: 'duty', id: 'duty' }, zh)).toBe('值班员');
    expect(actorName({ role: 'system', id: 'risk', name: '风险规则' }, zh)).toBe('风险规则');
    expect(actorName({ role: 'leader', id: 'leader' }, en)).toBe('Leader');
  });
});

describe('where a whistle from an alert starts', () => {
  it('takes the first related case that can be whistled now', () => {
    const cases = [summary('whistled', { id: 'a' }), summary('received', { id: 'b' }), summary('triaged', { id: 'c' })];
    expect(whistleStart(['a', 'b', 'c'], cases)).toEqual({ caseId: 'c', ready: true });
  });

  it('falls back to the first case that needs triage first', () => {
    const cases = [summary('whistled', { id: 'a' }), summary('received', { id: 'b' })];
    expect(whistleStart(['a', 'b'], cases)).toEqual({ caseId: 'b', ready: false });
  });

  it('follows the alert order of cases, not the order the server listed them in', () => {
    const cases = [summary('triaged', { id: 'late' }), summary('returned', { id: 'early' })];
    expect(whistleStart(['early', 'late'], cases)).toEqual({ caseId: 'early', ready: true });
  });

  it('has nothing to start from when every case is dispatched or closed, or none is known', () => {
    expect(whistleStart(['a'], [summary('handling', { id: 'a' })])).toBeNull();
    expect(whistleStart(['gone'], [])).toBeNull();
  });
});

describe('command failures', () => {
  const current = alert('al-1', { status: 'acknowledged', version: 12 });

  it('keeps the alert as it now is on a conflict and says what happened', () => {
    const failure = alertCommandFailure(409, { error: { code: 'version_conflict', message: 'changed', current } });
    expect(failure).toEqual({ kind: 'conflict', code: 'version_conflict', message: 'changed', current });
    expect(alertErrorText(failure, zh)).toBe('预警已被他人处理（当前：已签收），已刷新');
    const transition = alertCommandFailure(409, { error: { code: 'invalid_transition', message: 'already', current } });
    expect(alertErrorText(transition, zh)).toBe('此操作已不适用（当前：已签收），已刷新');
  });

  it('lists field errors, refuses roles, and reads any other status', () => {
    const invalid = alertCommandFailure(400, { error: { code: 'invalid_payload', message: 'bad', details: [{ path: 'note', message: 'say how the alert ended' }, { nope: 1 }] } });
    expect(invalid).toEqual({ kind: 'invalid', code: 'invalid_payload', message: 'bad', details: [{ path: 'note', message: 'say how the alert ended' }] });
    expect(alertErrorText(invalid, zh)).toBe('请修正标出的内容 · say how the alert ended');
    expect(alertErrorText(alertCommandFailure(403, { error: { code: 'forbidden', message: 'no' } }), zh)).toBe('无权执行此操作');
    expect(alertCommandFailure(500, null)).toEqual({ kind: 'http', status: 500 });
    expect(alertErrorText({ kind: 'network' }, zh)).toContain('网络中断');
  });
});
