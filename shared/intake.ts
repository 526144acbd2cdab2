/**
 * The intake contract (docs/architecture.md §5): what integrations and the demo feed POST to /api/events.
 * Objects are strict: an unknown key is an error, so a typo in an integration never passes silently.
 */
import { z } from 'zod';
import { humanText } from './text.js';
import { alertLevels, caseKinds, eventSources, outcomes, partyRoles, petitionForms, petitionLevels } from './vocabulary.js';

export const MAX_BATCH = 1000;

const streetCode = z.string().regex(/^\d{9}$/, 'must be a 9-digit street code');
const communityCode = z.string().regex(/^\d{12}$/, 'must be a 12-digit community code');
const timestamp = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time with a time zone' });
/** A name or a title: one line of visible text (shared/text.ts). */
const text = (max: number) => humanText({ max });
const longText = (max: number) => humanText({ max, min: 0, multiline: true });

/** Idempotency: (source, sourceRef) identifies one event of one integration for ever. */
const envelope = {
  source: z.enum(eventSources),
  /** Any letters and digits (a court's 案号 such as （2026）粤0307民调123号 too), brackets and . : - / # _; no spaces. */
  sourceRef: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[\p{L}\p{N}_.:\-/#()（）〔〕[\]【】]+$/u, 'may hold letters, digits, brackets and . : - / # _ only (no spaces)'),
};

export const partySchema = z.strictObject({
  role: z.enum(partyRoles),
  name: text(50),
  phone: z.string().regex(/^[\d+\- ]{5,20}$/, 'must be a phone number').optional(),
  idNumber: z.string().regex(/^[\dXx]{15,18}$/, 'must be a 15- or 18-character ID number').optional(),
});

export const locationSchema = z.strictObject({
  lat: z.number().min(-90).max(90),
  lng: z.number().min(-180).max(180),
});

export const caseReportedIntake = z.strictObject({
  type: z.literal('case.reported'),
  ...envelope,
  kind: z.enum(caseKinds),
  petitionForm: z.enum(petitionForms).optional(),
  /** Petitions only: the level it was lodged at (defaults to the district). */
  petitionLevel: z.enum(petitionLevels).optional(),
  category: z.string().min(1).max(40),
  title: text(200),
  description: longText(5000).optional(),
  streetCode,
  communityCode,
  location: locationSchema.optional(),
  severity: z.number().int().min(1).max(5),
  peopleInvolved: z.number().int().min(1).max(100_000).default(1),
  /** When the dispute happened. */
  occurredAt: timestamp.optional(),
  /** When the source received it (a late-delivered hotline ticket keeps its own time); defaults to now. */
  reportedAt: timestamp.optional(),
  parties: z.array(partySchema).max(50).default([]),
});

/** Refers to a case by the id intake returned, or by the sourceRef it was reported with (same source). */
const caseReference = {
  caseId: z.string().min(1).max(64).optional(),
  caseSourceRef: z.string().min(1).max(100).optional(),
};

export const caseResolvedIntake = z.strictObject({
  type: z.literal('case.resolved'),
  ...envelope,
  ...caseReference,
  outcome: z.enum(outcomes),
  note: longText(2000).optional(),
  resolvedAt: timestamp.optional(),
});

export const alertRaisedIntake = z.strictObject({
  type: z.literal('alert.raised'),
  ...envelope,
  level: z.enum(alertLevels),
  title: text(200),
  description: longText(2000).optional(),
  streetCode,
  communityCode: communityCode.optional(),
  raisedAt: timestamp.optional(),
});

export const intakeEventSchema = z.discriminatedUnion('type', [caseReportedIntake, caseResolvedIntake, alertRaisedIntake]);

export const intakeBodySchema = z.union([
  intakeEventSchema,
  z.strictObject({ events: z.array(z.unknown()).min(1, 'must hold at least one event').max(MAX_BATCH) }),
]);

export type CaseReportedIntake = z.infer<typeof caseReportedIntake>;
export type CaseResolvedIntake = z.infer<typeof caseResolvedIntake>;
export type AlertRaisedIntake = z.infer<typeof alertRaisedIntake>;
export type IntakeEvent = z.infer<typeof intakeEventSchema>;
export type IntakeEventInput = z.input<typeof intakeEventSchema>;

export interface FieldError {
  path: string;
  message: string;
  /** The zod issue behind `message` (its code and limits, never the input), so a client can word it in its own language. */
  issue?: FieldIssue;
}

/** A zod issue as a client may word it: `code` and the issue's primitive members (`maximum`, `origin`, `values`, …). */
export type FieldIssue = { code: string } & Record<string, string | number | boolean | null | Array<string | number | boolean | null>>;

const ISSUE_SKIP = new Set(['code', 'path', 'message', 'input', 'inst', 'errors', 'issues', 'params', 'continue']);

function issueOf(issue: z.core.$ZodIssue): FieldIssue {
  const out: FieldIssue = { code: issue.code };
  for (const [key, value] of Object.entries(issue)) {
    if (ISSUE_SKIP.has(key)) continue;
    const plain = (v: unknown) => (typeof v === 'bigint' ? String(v) : v instanceof Date ? v.toISOString() : v);
    const v = plain(value);
    if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[key] = v;
    else if (Array.isArray(v) && v.every((x) => x === null || ['string', 'number', 'boolean', 'bigint'].includes(typeof x))) out[key] = v.map((x) => plain(x) as string | number | boolean | null);
  }
  return out;
}

/** Per-event result of an accepted intake request. */
export interface IntakeResult {
  index: number;
  id: string;
  seq: number;
  type: IntakeEvent['type'];
  duplicate: boolean;
  caseId?: string;
  alertId?: string;
}

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)), '');
}

export function zodFieldErrors(error: z.ZodError, prefix: PropertyKey[] = []): FieldError[] {
  return error.issues.map((issue) => ({
    path: formatPath([...prefix, ...issue.path]) || '(body)',
    message: issue.message,
    issue: issueOf(issue),
  }));
}
