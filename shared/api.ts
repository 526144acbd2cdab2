/** Response shapes of the read API, shared by server and client. */
import type { RiskClientSettings } from './risk.js';
import type { CategoryInfo, DepartmentInfo, DistrictInfo, GeoBundle } from './geo.js';
import type { Actor } from './case-context.js';
import type { CaseSummary } from './case-summary.js';

export type { CaseSummary } from './case-summary.js';
import type { AssignmentState, WhistleState } from './lifecycle.js';
import type { Localized, Tier, Urgency } from './vocabulary.js';
import type { FieldIssue } from './intake.js';

/** GET /api/geo */
export interface GeoResponse {
  district: DistrictInfo;
  geo: GeoBundle;
  categories: CategoryInfo[];
  departments: DepartmentInfo[];
}

/** GET /api/client-config: settings the wall needs, resolved once on the server. */
export interface ClientConfig {
  tourSeconds: number;
  tileUrl: string | null;
  tzOffsetMinutes: number;
  halfLifeHours: number;
  /** Risk score settings and sensitive periods, so the wall computes the same scores as the server. */
  risk: RiskClientSettings;
}

/** One step of a case's history, for the timeline in the consoles. `detail` holds the step's own fields. */
export interface TimelineEntry {
  seq: number;
  type: string;
  at: string;
  actor?: Actor;
  detail: Record<string, unknown>;
}

/** GET /api/cases/:id: the case, what was reported, and every step since. */
export interface CaseDetail {
  case: CaseSummary;
  title: string;
  description?: string;
  parties: Array<{ role: string; name: string; phone?: string; idNumber?: string }>;
  /** True unless this answer is an audited unmasking (POST /api/cases/:id/unmask): names 张*三, phones 138****1234. */
  masked: boolean;
  location?: { lat: number; lng: number };
  occurredAt?: string;
  petitionForm?: string;
  timeline: TimelineEntry[];
}

/** GET /api/cases */
export interface CasePage {
  items: CaseSummary[];
  total: number;
  /** Pass as `cursor` to get the next page; null on the last page. */
  nextCursor: string | null;
}

/** GET /api/areas/:code/heat: why an area's heat is what it is. */
export interface HeatExplanation {
  code: string;
  level: 'street' | 'community';
  heat: number;
  parts: { openCases: number; recentEvents: number; alerts: number };
  topCases: Array<CaseSummary & { contribution: number }>;
  byCategory: Array<{ category: string; open: number; contribution: number }>;
}

export interface ApiError {
  error: { code: string; message: string; details?: Array<{ path: string; message: string; issue?: FieldIssue }>; params?: Record<string, string | number> };
}

/** GET /api/cases/:id/suggestions: who the routing rules propose, and what each urgency's deadlines would be. */
export interface DispatchSuggestion {
  lead: { deptId: string; reason: Localized };
  assists: Array<{ deptId: string; reason: Localized }>;
  urgency: Urgency;
  deadlines: Record<Urgency, { reportDueAt: string; resolveDueAt: string }>;
}

/** GET /api/whistles: the roll-call board — every active whistle with its case. */
export interface WhistleRow extends QueueRow {
  whistle: WhistleState;
}

/** GET /api/departments/:deptId/whistles: one department's parts, newest first. */
export interface DeptWhistleRow extends WhistleRow {
  assignment: AssignmentState;
}

export const metricGroups = ['department', 'street', 'category'] as const;
export type MetricGroup = (typeof metricGroups)[number];

/** Figures the centre is judged on (docs/architecture.md §2), for one department, street or category. Rates are 0–1 or null. */
export interface MetricsRow {
  key: string;
  /** Department parts (assignments) whistled in the range. */
  assigned: number;
  reportedIn: number;
  onTimeReportIn: number;
  onTimeRate: number | null;
  meanReportMinutes: number | null;
  /** Lead parts in the range and how many of them are resolved (mediated = 调解成功). */
  led: number;
  resolved: number;
  resolutionRate: number | null;
  /** Mean hours from the whistle to the lead's resolution, over the resolved lead parts (one decimal); null with none. */
  meanResolveHours: number | null;
  mediated: number;
  mediationRate: number | null;
  /** Parts past a deadline now or when they were done. */
  overdue: number;
  supervised: number;
  escalated: number;
  returned: number;
  followUps: number;
  satisfaction: number | null;
  /**
   * Over due work only (issue 22): parts reported in or still pending past their report-in deadline, and led parts
   * resolved or still open past their resolution deadline — a whistle blown minutes ago is no failure yet.
   */
  dueReports?: number;
  dueOnTimeRate?: number | null;
  dueLed?: number;
  dueResolutionRate?: number | null;
}

/** GET /api/metrics */
export interface MetricsResponse {
  groupBy: MetricGroup;
  from: string;
  to: string;
  rows: MetricsRow[];
  /** Cases resolved in the range by the tier that held them (层级化解). */
  tiers: Record<Tier, number>;
  /** The earliest whistle counted, when the range begins before the data does: the span the figures really cover. */
  dataFrom?: string;
}

/** GET /api/queue: the duty officer's intake queue (new, triaged, returned, reopened), newest first. */
export interface QueueRow {
  case: CaseSummary;
  title: string;
}

/** The queue's orders: oldest first (the default: the cases waiting longest), or newest first. */
export const queueSorts = ['oldest', 'newest'] as const;
export type QueueSort = (typeof queueSorts)[number];

/** GET /api/queue: one page of the open cases that match, with how many match in all. */
export interface QueuePage {
  items: QueueRow[];
  total: number;
  offset: number;
  limit: number;
  sort: QueueSort;
}
