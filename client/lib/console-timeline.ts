/**
 * What each timeline step says, as typed facts the Timeline component renders: tier and channel, departments with
 * their roles and deadlines, urgency, notes, reasons, outcome, satisfaction. Fields it does not know (a newer server)
 * are still listed as plain text, so no step loses its detail.
 */
import type { TimelineEntry } from '../../shared/api.js';
import type { MessageKey } from './i18n.js';

export interface PartFact {
  deptId: string;
  role: string;
  reportDueAt?: string;
  resolveDueAt?: string;
}

export type Fact =
  | { label: MessageKey; kind: 'text'; text: string }
  | { label: MessageKey; kind: 'key'; key: MessageKey }
  | { label: MessageKey; kind: 'dept'; deptId: string }
  | { label: MessageKey; kind: 'time'; at: string }
  | { label: MessageKey; kind: 'parts'; parts: PartFact[] }
  | { label: string; kind: 'raw'; text: string };

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Fields the timeline shows elsewhere (source: as who acted) or not at all (ids, bookkeeping). */
const hidden = new Set(['source', 'whistleId', 'case', 'actor', 'at', 'leadDeptId', 'resolvedAt', 'role', 'auto', 'late', 'reopened', 'fromTier', 'toTier', 'stage']);

type Reader = (value: unknown, detail: Record<string, unknown>) => Fact | Fact[] | undefined;

const readers: Record<string, Reader> = {
  tier: (v) => (str(v) ? { label: 'dispatch.field.tier', kind: 'key', key: `tier.${str(v)}` as MessageKey } : undefined),
  channel: (v) => (str(v) ? { label: 'dispatch.field.channel', kind: 'key', key: `channel.${str(v)}` as MessageKey } : undefined),
  urgency: (v) => (str(v) ? { label: 'dispatch.field.urgency', kind: 'key', key: `urgency.${str(v)}` as MessageKey } : undefined),
  outcome: (v) => (str(v) ? { label: 'dispatch.field.outcome', kind: 'key', key: `outcome.${str(v)}` as MessageKey } : undefined),
  deptId: (v, d) => {
    const deptId = str(v);
    if (!deptId) return undefined;
    const facts: Fact[] = [{ label: 'dispatch.field.department', kind: 'dept', deptId }];
    if (d.role === 'lead' || d.role === 'assist') facts.push({ label: 'dispatch.field.role', kind: 'key', key: `role.${d.role}` });
    if (d.stage === 'reportIn' || d.stage === 'resolve') facts.push({ label: 'dispatch.field.stage', kind: 'key', key: `dispatch.stage.${d.stage}` });
    if (d.late === true) facts.push({ label: 'dispatch.field.late', kind: 'key', key: 'dispatch.yes' });
    if (d.auto === true) facts.push({ label: 'dispatch.field.auto', kind: 'key', key: 'dispatch.yes' });
    if (str(d.fromTier)) facts.push({ label: 'dispatch.field.fromTier', kind: 'key', key: `tier.${str(d.fromTier)}` as MessageKey });
    if (str(d.toTier)) facts.push({ label: 'dispatch.field.toTier', kind: 'key', key: `tier.${str(d.toTier)}` as MessageKey });
    return facts;
  },
  assignments: (v) => {
    if (!Array.isArray(v)) return undefined;
    const parts = v.filter((a): a is PartFact => typeof (a as PartFact)?.deptId === 'string');
    return { label: 'dispatch.field.departments', kind: 'parts', parts };
  },
  note: (v) => (str(v) ? { label: 'dispatch.field.note', kind: 'text', text: str(v)! } : undefined),
  reason: (v) => (str(v) ? { label: 'dispatch.field.reason', kind: 'text', text: str(v)! } : undefined),
  alertId: (v) => (str(v) ? { label: 'alerts.fromAlert', kind: 'text', text: str(v)! } : undefined),
  satisfaction: (v, d) => {
    if (typeof v !== 'number') return undefined;
    const facts: Fact[] = [{ label: 'dispatch.field.satisfaction', kind: 'text', text: `${v} / 5` }];
    if (d.reopened === true) facts.push({ label: 'dispatch.field.reopened', kind: 'key', key: 'dispatch.yes' });
    return facts;
  },
};

export function timelineFacts(entry: TimelineEntry): Fact[] {
  const facts: Fact[] = [];
  for (const [key, value] of Object.entries(entry.detail)) {
    if (hidden.has(key)) continue;
    const reader = readers[key];
    const read = reader ? reader(value, entry.detail) : undefined;
    if (read) facts.push(...(Array.isArray(read) ? read : [read]));
    else if (!reader && value !== undefined && value !== null && typeof value !== 'object') facts.push({ label: key, kind: 'raw', text: String(value) });
  }
  // An intake or lead resolution that came in late says so even without a department field.
  if (entry.type === 'case.resolved' && entry.detail.late === true && !facts.some((f) => f.label === 'dispatch.field.late')) {
    facts.push({ label: 'dispatch.field.late', kind: 'key', key: 'dispatch.yes' });
  }
  return facts;
}

/** "duty" / a department / a source: who took the step, for the timeline's actor column. */
export function actorText(entry: TimelineEntry): { role: string; deptId?: string; name?: string } | null {
  const actor = entry.actor;
  if (!actor) {
    const source = str(entry.detail.source);
    return source ? { role: 'integration', name: source } : null;
  }
  return { role: actor.role, ...(actor.deptId && { deptId: actor.deptId }), ...(actor.name && { name: actor.name }) };
}
