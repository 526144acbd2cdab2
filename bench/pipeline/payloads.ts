/** Valid intake events and store drafts on real codes of 龙岗区, cheap to make in a hot loop. */
import { randomUUID } from 'node:crypto';
import type { EventDraft } from '../../shared/events.js';

/** (street, community) pairs from data/districts/longgang/district.json, and categories from data/categories.json. */
const places = [
  ['440307013', '440307013002'],
  ['440307013', '440307013007'],
  ['440307003', '440307003002'],
  ['440307003', '440307003004'],
] as const;
const categories = ['labour', 'family', 'debt', 'property', 'traffic', 'neighbour'] as const;

let counter = 0;

/** A `case.reported` intake event; `reportedAt` (ms precision) is what the clients may read back. */
export function caseReported(prefix: string, reportedAt?: number) {
  const n = counter++;
  const [streetCode, communityCode] = places[n % places.length]!;
  return {
    type: 'case.reported' as const,
    source: 'hotline' as const,
    sourceRef: `${prefix}-${n}`,
    kind: 'dispute' as const,
    category: categories[n % categories.length]!,
    title: '某电子厂拖欠12名员工工资',
    streetCode,
    communityCode,
    severity: 1 + (n % 5),
    peopleInvolved: 12,
    ...(reportedAt !== undefined && { reportedAt: new Date(reportedAt).toISOString() }),
    parties: [{ role: 'applicant' as const, name: '张三丰', phone: '13800001234' }],
  };
}

/** A store-level draft shaped like what intake makes of the event above. */
export function caseDraft(prefix: string): EventDraft {
  const n = counter++;
  const [streetCode, communityCode] = places[n % places.length]!;
  const reportedAt = new Date().toISOString();
  return {
    id: randomUUID(),
    type: 'case.reported',
    sourceKey: `hotline:${prefix}-${n}`,
    data: {
      caseId: randomUUID(),
      kind: 'dispute',
      category: categories[n % categories.length]!,
      streetCode,
      communityCode,
      severity: 3,
      peopleInvolved: 12,
      weight: 5.4,
      reportedAt,
      source: 'hotline',
      title: '某电子厂拖欠12名员工工资',
      parties: [{ role: 'applicant', name: '张三丰', phone: '13800001234' }],
    },
  };
}
