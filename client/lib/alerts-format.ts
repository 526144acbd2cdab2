/**
 * Pure helpers of the duty desk's alert panel: the order alerts are listed in, an alert's one-line facts in words,
 * ages, who acted, and which related case a "turn into a whistle" starts from. No Svelte, no network: unit-tested in
 * tests/client/alerts-format.test.ts.
 */
import type { CaseSummary } from '../../shared/api.js';
import type { Actor } from '../../shared/dispatch.js';
import type { AlertFacts, AlertRecord, RiskRuleId } from '../../shared/risk.js';
import { alertLevels, petitionLevels, type AlertLevel, type PetitionLevel } from '../../shared/vocabulary.js';
import type { AlertCommandFailure } from './alerts-api.js';
import { canIssue } from './console-actions.js';
import { fieldIssueText, serverErrorText } from './error-text.js';
import type { MessageKey, MessageParams } from './i18n.js';

type Translate = (key: MessageKey, params?: MessageParams) => string;

/** 0 = red, the most severe. */
export function levelRank(level: AlertLevel): number {
  return alertLevels.indexOf(level);
}

const signalMs = (a: AlertRecord) => Date.parse(a.lastSignalAt || a.raisedAt);

/**
 * Open alerts: most severe first; within a level the ones nobody has acknowledged yet, then the newest signal.
 * Closed alerts: most recently closed first.
 */
export function alertOrder(alerts: readonly AlertRecord[]): AlertRecord[] {
  return [...alerts].sort((a, b) => {
    if (a.status === 'closed' || b.status === 'closed') {
      if (a.status !== b.status) return a.status === 'closed' ? 1 : -1;
      return Date.parse(b.closed?.at ?? b.lastSignalAt) - Date.parse(a.closed?.at ?? a.lastSignalAt) || b.seq - a.seq;
    }
    return levelRank(a.level) - levelRank(b.level) || Number(a.status !== 'raised') - Number(b.status !== 'raised') || signalMs(b) - signalMs(a) || b.seq - a.seq;
  });
}

export function ruleLabel(rule: RiskRuleId | undefined, t: Translate): string {
  return t(`rule.${rule ?? 'external'}`);
}

/** A figure of the rule's facts (names as the rules engine writes them, server/domain/risk/*.ts). */
const num = (facts: AlertFacts, name: string): number | undefined => {
  const value = facts[name];
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return undefined;
};

/** Figures read at a glance: whole numbers stay whole, others get one decimal (two below 1). */
export function figure(n: number): string {
  if (Number.isInteger(n)) return String(n);
  return Math.abs(n) < 1 ? n.toFixed(2) : n.toFixed(1);
}

/** A probability as an officer can read it: 0.003, 4e-6, never 0. */
export function probability(p: number): string {
  if (p <= 0) return '<1e-9';
  if (p >= 0.001) return String(Number(p.toPrecision(2)));
  return p.toExponential(0);
}

const isPetitionLevel = (value: unknown): value is PetitionLevel => typeof value === 'string' && (petitionLevels as readonly string[]).includes(value);

/**
 * The rule's figures in one line (`alerts.facts.<rule>`), or null for alerts from outside systems and for facts the
 * rule did not give (a line with holes reads worse than none).
 */
export function factsText(alert: Pick<AlertRecord, 'rule' | 'facts'>, t: Translate): string | null {
  const { rule, facts } = alert;
  if (!rule) return null;
  const days = num(facts, 'withinDays');
  let params: Record<string, number | string | undefined>;
  switch (rule) {
    case 'spike': {
      const [expected, ratio, p] = [num(facts, 'expected'), num(facts, 'ratio'), num(facts, 'pValue')];
      params = {
        window: num(facts, 'windowHours'),
        observed: num(facts, 'observed'),
        expected: expected === undefined ? undefined : figure(expected),
        ratio: ratio === undefined ? undefined : figure(ratio),
        p: p === undefined ? undefined : probability(p),
      };
      break;
    }
    case 'collective':
      params = { people: num(facts, 'people') };
      break;
    case 'respondent':
      params = { cases: num(facts, 'cases'), days };
      break;
    case 'repeatPetition':
      params = { petitions: num(facts, 'petitions'), days };
      break;
    case 'skipTier':
      params = { level: isPetitionLevel(facts.petitionLevel) ? t(`alerts.petitionLevel.${facts.petitionLevel}`) : undefined };
      break;
    case 'staleHighSeverity':
      params = { cases: num(facts, 'cases'), severity: num(facts, 'maxSeverity'), hours: num(facts, 'oldestHours') };
      break;
  }
  if (Object.values(params).some((v) => v === undefined)) return null;
  return t(`alerts.facts.${rule}`, params as MessageParams);
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** 刚刚 / 5分钟前 / 3小时前 / 2天前, from the server-corrected clock. */
export function ageText(fromMs: number, nowMs: number, t: Translate): string {
  const age = Math.max(0, nowMs - fromMs);
  if (age < MINUTE) return t('alerts.age.now');
  if (age < HOUR) return t('alerts.age.minutes', { n: Math.floor(age / MINUTE) });
  if (age < DAY) return t('alerts.age.hours', { n: Math.floor(age / HOUR) });
  return t('alerts.age.days', { n: Math.floor(age / DAY) });
}

/** Who acted: the name they gave, else their role (值班员, 领导, 系统). */
export function actorName(actor: Actor, t: Translate): string {
  if (actor.name) return actor.name;
  return ['duty', 'leader', 'system', 'integration'].includes(actor.role) ? t(`dispatch.actor.${actor.role}` as MessageKey) : actor.role;
}

/** Open counts per level, most severe first, for the panel's head. */
export function levelCounts(openByLevel: Readonly<Record<AlertLevel, number>>): Array<{ level: AlertLevel; count: number }> {
  return alertLevels.map((level) => ({ level, count: openByLevel[level] ?? 0 }));
}

/** How far a whistle from an alert has got, shown under the alert: fetching its cases, triage first, none left, linked. */
export type WhistleLink = { state: 'loading' | 'triage' | 'none' | 'linked' } | { state: 'error'; message: string };

export type WhistleStart = { caseId: string; ready: boolean } | null;

/**
 * The related case a whistle from an alert starts from: the first (in the alert's order) the desk can whistle now;
 * else the first that still needs triage before it can be whistled (the desk opens it for triage); else none.
 */
export function whistleStart(caseIds: readonly string[], cases: readonly CaseSummary[]): WhistleStart {
  const byId = new Map(cases.map((c) => [c.id, c]));
  const ordered = caseIds.flatMap((id) => byId.get(id) ?? []);
  const ready = ordered.find((c) => canIssue(c, 'whistle', { role: 'duty' }));
  if (ready) return { caseId: ready.id, ready: true };
  const triage = ordered.find((c) => canIssue(c, 'triage', { role: 'duty' }));
  return triage ? { caseId: triage.id, ready: false } : null;
}

/** What went wrong with an alert command, in words an officer can act on. */
export function alertErrorText(error: AlertCommandFailure, t: Translate): string {
  switch (error.kind) {
    case 'conflict': {
      const status = error.current ? t(`alerts.status.${error.current.status}`) : '?';
      return t(error.code === 'invalid_transition' ? 'alerts.error.transition' : 'alerts.error.conflict', { status });
    }
    case 'network':
      return t('dispatch.error.network');
    case 'invalid':
      return [t('dispatch.error.invalid'), ...error.details.map((d) => fieldIssueText(d, t))].join(' · ');
    case 'http':
      return error.status === 403 ? t('dispatch.error.forbidden') : t('dispatch.error.failed', { message: serverErrorText(error, t) ?? t('error.http', { status: error.status }) });
    case 'parse':
      return t('dispatch.error.failed', { message: t('error.parse') });
  }
}
