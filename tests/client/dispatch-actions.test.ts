import { describe, expect, it } from 'vitest';
import type { TimelineEntry } from '../../shared/api.js';
import type { CaseNotice } from '../../shared/socket.js';
import { canIssue, commandsFrom, deptActions, dutyActions, newWhistlesFor } from '../../client/lib/console-actions.js';
import { actorText, timelineFacts } from '../../client/lib/console-timeline.js';
import { summary, whistled } from './dispatch-fixtures.js';

describe('which actions a status offers (from the shared lifecycle table)', () => {
  it('offers the duty officer the next step of the loop', () => {
    expect(dutyActions(summary('received'))).toEqual(['triage']);
    expect(dutyActions(summary('triaged'))).toEqual(['triage', 'whistle']);
    expect(dutyActions(summary('returned'))).toEqual(['triage', 'whistle']);
    expect(dutyActions(summary('reopened'))).toEqual(['triage']);
    expect(dutyActions(whistled('whistled'))).toEqual([]);
    expect(dutyActions(summary('resolved', { outcome: 'mediated' }))).toEqual(['confirm', 'followUp']);
    expect(dutyActions(summary('confirmed', { outcome: 'mediated' }))).toEqual(['followUp']);
    expect(dutyActions(summary('followedUp'))).toEqual(['archive']);
    expect(dutyActions(summary('archived'))).toEqual([]);
  });

  it('offers judicial confirmation only for a mediated agreement', () => {
    expect(dutyActions(summary('resolved', { outcome: 'withdrawn' }))).toEqual(['followUp']);
  });

  it('lists what a role may start from a status, as the table says', () => {
    expect(commandsFrom('handling', 'duty')).toEqual(['supervise']);
    expect(commandsFrom('handling', 'dept')).toEqual(['reportIn', 'progress', 'return', 'resolve']);
    expect(commandsFrom('handling', 'leader')).toEqual(['supervise']);
  });

  it('offers supervision only of a department with an open part', () => {
    const c = whistled('handling', { status: 'reported' }, { status: 'returned' });
    expect(canIssue(c, 'supervise', { role: 'duty' }, 'labour')).toBe(true);
    expect(canIssue(c, 'supervise', { role: 'duty' }, 'police')).toBe(false);
    expect(canIssue(c, 'supervise', { role: 'duty' }, 'court')).toBe(false);
  });

  it('offers a department what its own part allows', () => {
    expect(deptActions(whistled('whistled'), 'labour')).toEqual(['reportIn', 'return']);
    expect(deptActions(whistled('handling', { status: 'reported' }), 'labour')).toEqual(['progress', 'return', 'resolve']);
    expect(deptActions(whistled('handling', { status: 'reported' }, { status: 'reported' }), 'police')).toEqual(['progress', 'return']);
    expect(deptActions(whistled('handling', { status: 'reported' }), 'court')).toEqual([]);
    expect(deptActions(summary('resolved', { outcome: 'mediated' }), 'court')).toEqual(['confirm']);
    expect(deptActions(summary('resolved', { outcome: 'mediated' }), 'labour')).toEqual([]);
  });
});

describe('notices', () => {
  const notice = (overrides: Partial<CaseNotice>): CaseNotice => ({ seq: 1, type: 'case.whistled', caseId: 'c1', at: '', category: 'labour', streetCode: '', communityCode: '', ...overrides });

  it('picks the new whistles that include this department', () => {
    const mine = notice({ whistleId: 'w1', departments: ['labour', 'police'] });
    const batch = [mine, notice({ whistleId: 'w2', departments: ['court'] }), notice({ type: 'whistle.reportedIn', whistleId: 'w1', departments: ['labour'] })];
    expect(newWhistlesFor(batch, 'labour')).toEqual([mine]);
    expect(newWhistlesFor(batch, 'health')).toEqual([]);
  });
});

describe('timeline facts', () => {
  const entry = (type: string, detail: Record<string, unknown>, actor?: TimelineEntry['actor']): TimelineEntry => ({ seq: 2, type, at: '2026-11-23T02:00:00Z', detail, ...(actor && { actor }) });

  it('shows every detail of a whistle: urgency, tier, departments with deadlines, note', () => {
    const facts = timelineFacts(
      entry('case.whistled', { whistleId: 'w1', urgency: 'urgent', tier: 'street', assignments: [{ deptId: 'labour', role: 'lead', reportDueAt: 'a', resolveDueAt: 'b' }], note: '尽快' }),
    );
    expect(facts).toEqual([
      { label: 'dispatch.field.urgency', kind: 'key', key: 'urgency.urgent' },
      { label: 'dispatch.field.tier', kind: 'key', key: 'tier.street' },
      { label: 'dispatch.field.departments', kind: 'parts', parts: [{ deptId: 'labour', role: 'lead', reportDueAt: 'a', resolveDueAt: 'b' }] },
      { label: 'dispatch.field.note', kind: 'text', text: '尽快' },
    ]);
  });

  it('shows reasons, escalations, outcomes and satisfaction', () => {
    expect(timelineFacts(entry('whistle.returned', { whistleId: 'w', deptId: 'labour', role: 'lead', reason: '非本部门职责' }))).toEqual([
      { label: 'dispatch.field.department', kind: 'dept', deptId: 'labour' },
      { label: 'dispatch.field.role', kind: 'key', key: 'role.lead' },
      { label: 'dispatch.field.reason', kind: 'text', text: '非本部门职责' },
    ]);
    expect(timelineFacts(entry('whistle.escalated', { whistleId: 'w', deptId: 'labour', stage: 'reportIn', fromTier: 'community', toTier: 'street' })).map((f) => f.label)).toEqual([
      'dispatch.field.department',
      'dispatch.field.stage',
      'dispatch.field.fromTier',
      'dispatch.field.toTier',
    ]);
    expect(timelineFacts(entry('case.followedUp', { satisfaction: 2, reopened: true, leadDeptId: 'labour' }))).toEqual([
      { label: 'dispatch.field.satisfaction', kind: 'text', text: '2 / 5' },
      { label: 'dispatch.field.reopened', kind: 'key', key: 'dispatch.yes' },
    ]);
    expect(timelineFacts(entry('case.resolved', { outcome: 'mediated', resolvedAt: 'x', deptId: 'labour', late: true })).map((f) => f.label)).toEqual([
      'dispatch.field.outcome',
      'dispatch.field.department',
      'dispatch.field.late',
    ]);
  });

  it('keeps fields it does not know as plain text', () => {
    expect(timelineFacts(entry('case.somethingNew', { answer: 42 }))).toEqual([{ label: 'answer', kind: 'raw', text: '42' }]);
  });

  it('names who acted: an actor, or the integration that sent it', () => {
    expect(actorText(entry('whistle.reportedIn', {}, { role: 'dept', id: '王五', deptId: 'labour', name: '王五' }))).toEqual({ role: 'dept', deptId: 'labour', name: '王五' });
    expect(actorText(entry('case.resolved', { source: 'court' }))).toEqual({ role: 'integration', name: 'court' });
    expect(actorText(entry('case.archived', {}))).toBeNull();
  });
});
