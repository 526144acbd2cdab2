/**
 * The risk contract (docs/architecture.md §6): the rules' settings as they sit in data/risk/, the alerts the rules and outside
 * systems raise, and their lifecycle raised → acknowledged → closed. Rule alerts are events in the log like any other
 * fact, so replaying the log gives back the same alerts.
 */
import { z } from 'zod';
import { humanText } from './text.js';
import type { Actor } from './case-context.js';
import type { CaseSummary } from './case-summary.js';
import { alertLevels, type AlertLevel, type EventSource } from './vocabulary.js';

// ---- settings: data/risk/rules.json and data/risk/periods.json ----

const level = z.enum(alertLevels);
const positive = z.number().positive();
const count = z.number().int().min(1);
/** Thresholds tried from the most severe: the first whose conditions hold gives the level. */
const levelSteps = <T extends z.ZodRawShape>(shape: T) =>
  z.array(z.strictObject({ level, ...shape })).min(1, 'give at least one level');

export const rulesSchema = z.strictObject({
  /** A rule firing again on the same scope within this many hours of its last signal updates the open alert. */
  cooldownHours: positive,
  /** An unacknowledged rule alert with no new signal for this long is closed by the system. */
  autoCloseHours: positive,
  spike: z.strictObject({
    enabled: z.boolean(),
    scopes: z.array(z.enum(['community', 'street'])).min(1),
    /** The sliding window counted against the baseline. */
    windowHours: z.number().int().min(1).max(168),
    /** Days before the window that make the baseline rate. */
    baselineDays: z.number().int().min(7).max(90),
    /** Days of history the scope must have before it can spike (no alarms on a fresh system). */
    minHistoryDays: z.number().int().min(1),
    /** Never fire below this many cases in the window, however low the baseline. */
    minCount: count,
    /** Cases per day assumed before any history, so a zero baseline does not make one case a spike. */
    priorPerDay: positive,
    /** Poisson upper-tail probability of the window count under the baseline rate, and the observed/expected ratio. */
    levels: levelSteps({ maxPValue: z.number().gt(0).lt(1), minRatio: positive }),
  }),
  collective: z.strictObject({
    enabled: z.boolean(),
    /** One case with at least this many people. */
    people: levelSteps({ minPeople: count }),
    /** Several cases against one respondent (e.g. one employer's wage arrears) within `withinDays`. */
    respondent: z.strictObject({ withinDays: positive, levels: levelSteps({ minCases: z.number().int().min(2) }) }),
  }),
  repeatPetition: z.strictObject({
    enabled: z.boolean(),
    withinDays: positive,
    levels: levelSteps({ minPetitions: z.number().int().min(2) }),
    /** A petition lodged above the district with no petition at street or district level in `lookbackDays` (越级). */
    skipTier: z.strictObject({ lookbackDays: positive, levels: levelSteps({ minLevel: z.enum(['city', 'province', 'national']) }) }),
  }),
  staleHighSeverity: z.strictObject({
    enabled: z.boolean(),
    levels: levelSteps({ minSeverity: z.number().int().min(1).max(5), afterHours: positive }),
  }),
});
export type RiskRules = z.infer<typeof rulesSchema>;

const localDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a local date YYYY-MM-DD');

/** 敏感时期: while one is on, its categories weigh more in the risk score and their rule alerts rise a level. */
export const periodsSchema = z.array(
  z
    .strictObject({
      id: z.string().regex(/^[a-z0-9-]{2,40}$/),
      name: z.strictObject({ zh: z.string().min(1), en: z.string().min(1) }),
      /** Inclusive local dates. */
      from: localDate,
      to: localDate,
      categories: z.array(z.string().min(1)).min(1),
      /** Multiplies these categories' open-case weight in the risk score. */
      weight: z.number().min(1).max(5),
      /** Levels a rule alert on these categories rises (0–2). */
      raiseLevels: z.number().int().min(0).max(2),
    })
    .refine((p) => p.from <= p.to, { message: '`from` must not be after `to`', path: ['to'] }),
);
export type SensitivePeriod = z.infer<typeof periodsSchema>[number];

/** How the 0–100 risk score is put together (data/risk/score.json); each part saturates at its points. */
export const scoreSchema = z.strictObject({
  severity: z.strictObject({ points: positive, scale: z.strictObject({ community: positive, street: positive }) }),
  alerts: z.strictObject({ points: positive, scale: z.strictObject({ community: positive, street: positive }), weights: z.strictObject({ red: z.number().min(0), orange: z.number().min(0), yellow: z.number().min(0), blue: z.number().min(0) }) }),
  overdue: z.strictObject({ points: positive, scale: z.strictObject({ community: positive, street: positive }) }),
  /** New cases in the last `days` against the `days` before: full points at `fullAtRatio`. */
  trend: z.strictObject({ points: positive, days: z.number().int().min(1).max(14), fullAtRatio: z.number().gt(1) }),
});
export type RiskScoreSettings = z.infer<typeof scoreSchema>;

// ---- alerts ----

/** Which rule raised an alert; alerts from outside systems (intake) have none. */
export const riskRuleIds = ['spike', 'collective', 'respondent', 'repeatPetition', 'skipTier', 'staleHighSeverity'] as const;
export type RiskRuleId = (typeof riskRuleIds)[number];

/** What an alert is about; with the rule, it is the deduplication key. Person and respondent keys are keyed hashes. */
export interface AlertScope {
  kind: 'community' | 'street' | 'case' | 'person' | 'respondent';
  key: string;
}

/** The figures behind a rule alert, e.g. spike: observed, expected, ratio, pValue, windowHours. No personal data. */
export type AlertFacts = Record<string, number | string>;

export const MAX_ALERT_CASES = 20;

/** Set on `alert.raised` when a rule raised it. */
export interface RuleAlertFields {
  rule: RiskRuleId;
  scope: AlertScope;
  category?: string;
  /** Related cases, newest last, at most MAX_ALERT_CASES. */
  caseIds: string[];
  facts: AlertFacts;
  /** Sensitive periods that raised its level. */
  periods: string[];
  /** The event that made the rule fire; absent when a sweep did. */
  triggerSeq?: number;
}

/** The same rule fired again on the same scope within the cooldown: new figures, maybe a higher level. */
export interface AlertUpdatedData {
  alertId: string;
  level: AlertLevel;
  /** The title with the new figures (absent in logs written before titles were updated). */
  title?: string;
  facts: AlertFacts;
  caseIds: string[];
  periods: string[];
  updatedAt: string;
  triggerSeq?: number;
  streetCode: string;
  communityCode?: string;
}

export interface AlertAcknowledgedData {
  alertId: string;
  actor: Actor;
  at: string;
  note?: string;
  streetCode: string;
  communityCode?: string;
}

export interface AlertClosedData {
  alertId: string;
  actor: Actor;
  at: string;
  note: string;
  /** Closed by the system because the signal went quiet. */
  auto?: boolean;
  streetCode: string;
  communityCode?: string;
}

export interface AlertEventDataMap {
  'alert.updated': AlertUpdatedData;
  'alert.acknowledged': AlertAcknowledgedData;
  'alert.closed': AlertClosedData;
}
export type AlertChangeType = keyof AlertEventDataMap;

export const alertStatuses = ['raised', 'acknowledged', 'closed'] as const;
export type AlertStatus = (typeof alertStatuses)[number];

/** One alert as the duty desk and the leader see it (no personal data: scope keys of people are hashes). */
export interface AlertRecord {
  id: string;
  /** seq of `alert.raised`. */
  seq: number;
  /** seq of its latest event: commands name it as expectedVersion. */
  version: number;
  source: EventSource;
  rule?: RiskRuleId;
  scope?: AlertScope;
  category?: string;
  level: AlertLevel;
  title: string;
  description?: string;
  streetCode: string;
  communityCode?: string;
  raisedAt: string;
  /** When a rule last signalled (raise or update). */
  lastSignalAt: string;
  updates: number;
  status: AlertStatus;
  caseIds: string[];
  facts: AlertFacts;
  periods: string[];
  acknowledged?: { actor: Actor; at: string; note?: string };
  closed?: { actor: Actor; at: string; note: string; auto?: boolean };
  /** Whistles blown from this alert (the whistle command named it). */
  whistles: Array<{ caseId: string; whistleId: string }>;
}

// ---- commands on an alert (POST /api/alerts/:id/commands) ----

export const alertCommandSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('acknowledge'),
    commandId: z.string().regex(/^[\w-]{8,64}$/, 'must be 8–64 letters, digits, - or _ (a UUID will do)'),
    expectedVersion: z.number().int().min(1),
    note: humanText({ max: 500, min: 0, multiline: true }).optional(),
  }),
  z.strictObject({
    type: z.literal('close'),
    commandId: z.string().regex(/^[\w-]{8,64}$/, 'must be 8–64 letters, digits, - or _ (a UUID will do)'),
    expectedVersion: z.number().int().min(1),
    note: humanText({ min: 2, minMessage: 'say how the alert ended', max: 1000, multiline: true }),
  }),
]);
export type AlertCommand = z.infer<typeof alertCommandSchema>;

/** Who may act on alerts: the duty desk and leaders (the system closes quiet ones by itself). */
export const alertCommandRoles: ReadonlyArray<Actor['role']> = ['duty', 'leader'];

export type AlertDecision =
  | { ok: true; type: 'alert.acknowledged'; data: AlertAcknowledgedData }
  | { ok: true; type: 'alert.closed'; data: AlertClosedData }
  | { ok: false; reason: 'forbidden' | 'invalid_transition'; message: string };

/** Turns a command into one event, or refuses it. Pure: the caller checks the version and appends. */
export function decideAlert(alert: AlertRecord, command: AlertCommand, actor: Actor, now: number): AlertDecision {
  if (!alertCommandRoles.includes(actor.role)) return { ok: false, reason: 'forbidden', message: `a ${actor.role} user may not act on alerts` };
  const where = { streetCode: alert.streetCode, ...(alert.communityCode && { communityCode: alert.communityCode }) };
  const at = new Date(now).toISOString();
  if (alert.status === 'closed') return { ok: false, reason: 'invalid_transition', message: 'the alert is already closed' };
  if (command.type === 'acknowledge') {
    if (alert.status === 'acknowledged') return { ok: false, reason: 'invalid_transition', message: 'the alert is already acknowledged' };
    return { ok: true, type: 'alert.acknowledged', data: { alertId: alert.id, actor, at, ...(command.note && { note: command.note }), ...where } };
  }
  return { ok: true, type: 'alert.closed', data: { alertId: alert.id, actor, at, note: command.note, ...where } };
}

// ---- what the API answers ----

export interface AlertPage {
  alerts: AlertRecord[];
  /** Open (raised or acknowledged) alerts per level, over the whole district. */
  openByLevel: Record<AlertLevel, number>;
}

export { alertLevels, type AlertLevel };

// ---- the risk score (shared/wall-risk.ts computes it from the wall fold) ----

export type AreaLevel = 'community' | 'street';

/** One area's 0–100 risk score and what makes it up, in points (the parts add up to the score). */
export interface RiskView {
  code: string;
  level: AreaLevel;
  score: number;
  parts: { severity: number; alerts: number; overdue: number; trend: number };
  inputs: {
    /** Open cases' weight, sensitive periods applied. */
    openWeight: number;
    openAlerts: number;
    /** Open alerts weighted by level. */
    alertWeight: number;
    /** Whistle parts past a deadline now. */
    overdue: number;
    /** New cases in the last `trend.days` days and in the days before them. */
    recent: number;
    previous: number;
    /** Sensitive periods on now that weigh on this area's open cases. */
    periods: string[];
  };
}

/** What the client needs to compute risk scores from the wall state (part of /api/client-config). */
export interface RiskClientSettings {
  score: RiskScoreSettings;
  periods: SensitivePeriod[];
}

/** GET /api/areas/:code/risk: "why is this area at risk". */
export interface RiskExplanation {
  view: RiskView;
  /** Open cases by their weight in the score, heaviest first (masked summaries). */
  topCases: Array<CaseSummary & { contribution: number }>;
  /** Open alerts in the area, most severe first. */
  alerts: AlertRecord[];
  /** Overdue whistle parts in the area. */
  overdue: Array<{ caseId: string; whistleId: string; deptId: string; stage: 'reportIn' | 'resolve'; dueAt: string }>;
  /** New cases per local day, oldest first, 2 × trend.days days. */
  daily: Array<{ day: string; reported: number }>;
}

// ---- the leader view (GET /api/leader/overview, /api/leader/heat-history) ----

export interface Hotspot {
  code: string;
  level: AreaLevel;
  score: number;
  parts: RiskView['parts'];
  /** New cases per local day, oldest first (14 days): the sparkline. */
  daily: number[];
  openAlerts: number;
}

export interface LeaderOverview {
  generatedAt: string;
  hotspots: { communities: Hotspot[]; streets: Hotspot[] };
  /** New cases per category per week (weeks start Monday, local dates), oldest week first. */
  categoryWeeks: { weeks: string[]; categories: string[]; counts: number[][] };
  /** New cases by local weekday (0 = Monday) and hour over the last `weeks` weeks. */
  hourOfWeek: { weeks: number; counts: number[][] };
  alerts: AlertPage;
  /** Sensitive periods on today. */
  periods: SensitivePeriod[];
}

/** Community heat per hour over the last days, for the leader's time slider. */
export interface HeatHistory {
  codes: string[];
  frames: Array<{ at: string; heat: number[] }>;
}
