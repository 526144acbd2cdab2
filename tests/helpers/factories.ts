/** Test data factories: valid intake events with overridable fields, on real codes of 龙岗区. */
import type { IntakeEventInput } from '../../shared/intake.js';

export const BANTIAN = '440307013';
export const GANGTOU = '440307013002';
export const MAAN_TANG = '440307013007';
export const PINGHU = '440307003';

let counter = 0;
export function nextRef(prefix = 'test'): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}`;
}

export function caseReported(overrides: Partial<Extract<IntakeEventInput, { type: 'case.reported' }>> = {}) {
  return {
    type: 'case.reported' as const,
    source: 'hotline' as const,
    sourceRef: nextRef('case'),
    kind: 'dispute' as const,
    category: 'labour',
    title: '某电子厂拖欠12名员工工资',
    streetCode: BANTIAN,
    communityCode: GANGTOU,
    severity: 3,
    peopleInvolved: 12,
    parties: [{ role: 'applicant' as const, name: '张三丰', phone: '13800001234', idNumber: '440307199001011234' }],
    ...overrides,
  };
}

export function caseResolved(caseSourceRef: string, overrides: Record<string, unknown> = {}) {
  return { type: 'case.resolved' as const, source: 'hotline' as const, sourceRef: nextRef('res'), caseSourceRef, outcome: 'mediated' as const, ...overrides };
}

export function alertRaised(overrides: Record<string, unknown> = {}) {
  return { type: 'alert.raised' as const, source: 'system' as const, sourceRef: nextRef('alert'), level: 'red' as const, title: '集体讨薪风险', streetCode: BANTIAN, communityCode: GANGTOU, ...overrides };
}
