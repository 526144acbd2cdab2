/**
 * The reports contract (issue 8): daily (日报), weekly (周报) and monthly analysis (月度分析研判) for the district or
 * one street, or any range of local dates. A report is computed from the projections folded from the event log
 * (server/reports/compute.ts), never from a hand-kept copy; archived reports keep the figures as they were issued.
 */
import { z } from 'zod';
import type { MetricsRow } from './api.js';
import type { AlertLevel, CaseKind, Localized, Outcome, Tier } from './vocabulary.js';
import type { AssignmentRole, Stage } from './dispatch.js';

export const reportKinds = ['daily', 'weekly', 'monthly', 'range'] as const;
export type ReportKind = (typeof reportKinds)[number];

export const reportFormats = ['json', 'html', 'pdf'] as const;
export type ReportFormat = (typeof reportFormats)[number];

export const reportLangs = ['zh', 'en'] as const;
export type ReportLang = (typeof reportLangs)[number];

/** A range report may span at most this many days (a year and a day). */
export const MAX_RANGE_DAYS = 366;

/** A local date `YYYY-MM-DD` that the calendar has (years 0000–9999); also the ledger export's `from` and `to`. */
export const localDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a local date YYYY-MM-DD')
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), 'is not a calendar date');
const localDate = localDateSchema;

/**
 * GET /api/reports. `date` picks the day (daily), the Monday-to-Sunday week holding it (weekly) or its calendar month
 * (monthly); a range report takes `from` and `to`, both inclusive. `street` narrows the report to one street.
 */
export const reportQuerySchema = z
  .strictObject({
    kind: z.enum(reportKinds).default('daily'),
    date: localDate.optional(),
    from: localDate.optional(),
    to: localDate.optional(),
    street: z.string().regex(/^\d{9}$/, 'must be a 9-digit street code').optional(),
    lang: z.enum(reportLangs).default('zh'),
    format: z.enum(reportFormats).default('json'),
  })
  .superRefine((q, ctx) => {
    if (q.kind === 'range') {
      if (!q.from) ctx.addIssue({ code: 'custom', path: ['from'], message: 'a range report needs `from`' });
      if (!q.to) ctx.addIssue({ code: 'custom', path: ['to'], message: 'a range report needs `to`' });
      if (q.date) ctx.addIssue({ code: 'custom', path: ['date'], message: 'a range report takes `from` and `to`, not `date`' });
      if (q.from && q.to && q.from > q.to) ctx.addIssue({ code: 'custom', path: ['to'], message: '`to` must not be before `from`' });
      if (q.from && q.to && (Date.parse(q.to) - Date.parse(q.from)) / 86_400_000 + 1 > MAX_RANGE_DAYS) {
        ctx.addIssue({ code: 'custom', path: ['to'], message: `a range may span at most ${MAX_RANGE_DAYS} days` });
      }
    } else if (q.from || q.to) {
      ctx.addIssue({ code: 'custom', path: [q.from ? 'from' : 'to'], message: `a ${q.kind} report takes \`date\`, not \`from\`/\`to\`` });
    }
  });
export type ReportQuery = z.infer<typeof reportQuerySchema>;

/** Which area a report covers. */
export interface ReportScope {
  level: 'district' | 'street';
  /** The district's code, or the street's. */
  code: string;
  name: Localized;
}

/** A period of whole local days. */
export interface ReportPeriod {
  /** First local date, inclusive. */
  from: string;
  /** Last local date, inclusive. */
  to: string;
  /** The instants it spans: [startMs, endMs). */
  startMs: number;
  endMs: number;
  days: number;
}

/** One row of a breakdown, with the previous period's figure for comparison. */
export interface CountRow {
  /** A category, source, street or community code, or a department id. */
  key: string;
  name: Localized;
  count: number;
  previous: number;
}

/** Per-department figures for the whistles blown in the period: GET /api/metrics' own rows, by department. */
export type DepartmentRow = Pick<
  MetricsRow,
  'assigned' | 'reportedIn' | 'onTimeReportIn' | 'onTimeRate' | 'meanReportMinutes' | 'led' | 'resolved' | 'resolutionRate' | 'meanResolveHours' | 'overdue' | 'supervised' | 'escalated' | 'returned'
> & { deptId: string; name: Localized };

export interface Hotspot {
  code: string;
  name: Localized;
  /** The street a community lies in. */
  streetCode: string;
  count: number;
  previous: number;
}

/** A red alert raised in the period. */
export interface ReportRedAlert {
  id: string;
  /** The alert's own title (wall-safe: area, category and figures only). */
  title: string;
  /** Rule id, or `external`. */
  rule: string;
  ruleName: Localized;
  streetCode: string;
  communityCode?: string;
  /** The community it is about, or its street. */
  place: Localized;
  raisedAt: string;
  status: 'raised' | 'acknowledged' | 'closed';
}

/**
 * One department's part in a whistle blown in the period that was overdue, supervised (督办) or escalated (升级), by
 * the same definitions as the per-department counts. No title, parties or free text: a report carries no personal data.
 */
export interface ReportDispatchItem {
  caseId: string;
  category: string;
  categoryName: Localized;
  streetCode: string;
  communityCode: string;
  /** 街道 · 社区. */
  place: Localized;
  deptId: string;
  deptName: Localized;
  role: AssignmentRole;
  whistleId: string;
  whistledAt: string;
  /** Escalated, supervised, overdue: in that order, those that apply. */
  kinds: Array<'overdue' | 'supervised' | 'escalated'>;
  /** The stages concerned (supervised, escalated or overdue at), report-in before resolution. */
  stages: Stage[];
  /** The deadline missed: resolveDueAt when the resolution stage is concerned, else reportDueAt. */
  dueAt: string;
  /** The tier the whistle stands at now, after its escalations. */
  tier: Tier;
  /** Whether the case is closed now (resolved, confirmed, followed up or archived). */
  resolved: boolean;
}

export interface ReportData {
  /** Archive id, set on an archived report. */
  id?: string;
  kind: ReportKind;
  scope: ReportScope;
  period: ReportPeriod;
  /**
   * The period just before, of the same length (the previous calendar month for a monthly report). While the period
   * is still running (`ongoing`), only the same stretch of it (同期): from its start for as long as this period has run.
   */
  previous: ReportPeriod;
  /** Generated before the period ended: its figures are so far, compared with the same stretch of the previous one. */
  ongoing?: boolean;
  /**
   * The log began after the previous period did (issue 22): its figures cover only part of it, so no change against
   * it is shown — the report says the previous period is incomplete instead. `dataSince` is the first case's time.
   */
  previousIncomplete?: true;
  dataSince?: string;
  generatedAt: string;
  /** The last event folded into the figures: a report is the log up to this seq. */
  asOfSeq: number;
  tzOffsetMinutes: number;
  cases: {
    /** Cases reported in the period (by their own reportedAt). */
    total: number;
    previous: number;
    byKind: Record<CaseKind, number>;
    byCategory: CountRow[];
    bySource: CountRow[];
    /** Every street of the scope. */
    byStreet: CountRow[];
    /** Communities with any case in either period, most first. */
    byCommunity: CountRow[];
    /** New cases per local day of the period, oldest first. */
    daily: Array<{ date: string; count: number }>;
    /**
     * New cases per local day of `previous` as it stands in the report (only its same stretch while the period is
     * running, so it may be shorter than `daily`), oldest first. Optional for reports archived before it.
     */
    previousDaily?: Array<{ date: string; count: number }>;
  };
  resolution: {
    /** Cases resolved in the period (by resolvedAt), wherever they were reported. */
    resolved: number;
    previous: number;
    /** Of the cases reported in the period, how many are resolved by the time of the report. */
    resolvedOfNew: number;
    /** resolvedOfNew / cases.total; null with no new cases. */
    resolutionRate: number | null;
    previousResolutionRate: number | null;
    /** Outcomes of the cases resolved in the period. */
    outcomes: Record<Outcome, number>;
    /** mediated / resolved; null with none resolved. */
    mediationRate: number | null;
    previousMediationRate: number | null;
    /** Cases of the scope still open when the report was generated. */
    openNow: number;
  };
  dispatch: {
    whistles: number;
    assignments: number;
    reportedIn: number;
    onTimeReportIn: number;
    onTimeRate: number | null;
    previousOnTimeRate: number | null;
    overdue: number;
    supervised: number;
    escalated: number;
    returned: number;
    departments: DepartmentRow[];
    /**
     * The assignments of the period's whistles that were overdue, supervised or escalated: escalated first, then
     * supervised, then overdue, each oldest whistle first; at most MAX_REPORT_ITEMS (server/reports/compute.ts).
     * Optional for reports archived before it.
     */
    items?: ReportDispatchItem[];
    /** How many there were in all (more than `items` holds when the list was cut). */
    itemsTotal?: number;
  };
  /** Where cases resolved in the period were closed (小事不出村、大事不出镇). */
  tiers: Record<Tier, number> & {
    /** Share closed at community or street level; null with none. */
    containment: number | null;
    previousContainment: number | null;
  };
  alerts: {
    raised: number;
    previous: number;
    byLevel: Record<AlertLevel, number>;
    /** By rule id, or `external` for alerts from outside systems. */
    byRule: CountRow[];
    /** How the period's alerts stand at the time of the report. */
    outcome: { whistled: number; closedByOfficer: number; autoClosed: number; acknowledged: number; open: number };
    /** The red alerts raised in the period, oldest first (named in the summary). Optional for reports archived before it. */
    red?: ReportRedAlert[];
  };
  /** Communities with the most new cases, and those that rose most against the previous period. */
  hotspots: { top: Hotspot[]; rising: Hotspot[] };
  /** A short generated summary with the notable changes, one sentence per entry. */
  summary: Record<'zh' | 'en', string[]>;
}

/** GET /api/reports/archive: the archived reports, newest period first. */
export interface ArchivedReport {
  id: string;
  kind: ReportKind;
  scope: ReportScope;
  period: { from: string; to: string };
  generatedAt: string;
  /** Headline figures for the list. */
  headline: { cases: number; resolved: number; alerts: number };
}

export interface ReportArchivePage {
  reports: ArchivedReport[];
}

export const archiveQuerySchema = z.strictObject({
  kind: z.enum(reportKinds).optional(),
  street: z.string().regex(/^\d{9}$/, 'must be a 9-digit street code').optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const archiveItemQuerySchema = z.strictObject({
  lang: z.enum(reportLangs).default('zh'),
  format: z.enum(reportFormats).default('json'),
});
