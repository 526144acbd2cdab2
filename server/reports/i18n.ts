/**
 * The report page's words in Chinese and English. Labels of kinds, outcomes, tiers, alert levels and alert statuses
 * are server/labels.ts's (the client's wording, client/lib/i18n*.ts) so a report reads like the app; names of places,
 * categories, sources, rules and departments come with the report data (ReportData rows carry their own zh/en).
 */
import type { AlertStatus } from '../../shared/risk.js';
import type { AssignmentRole, Stage } from '../../shared/dispatch.js';
import type { ReportDispatchItem, ReportKind, ReportLang } from '../../shared/reports.js';
import type { AlertLevel, CaseKind, Outcome, Tier } from '../../shared/vocabulary.js';
import { alertStatusLabels, kindLabels, labelsIn, levelLabels, outcomeLabels, tierLabels } from '../labels.js';
import { isoWeek } from './period.js';

export interface ReportWords {
  /** "龙岗区矛盾纠纷" + kind + period. */
  titleSubject: string;
  kind: Record<ReportKind, string>;
  /** File names: short, no spaces. */
  kindFile: Record<ReportKind, string>;
  scope: string;
  period: string;
  previous: string;
  /** After the period and the previous one while the period is still running. */
  ongoing: string;
  sameStretch: string;
  generated: string;
  asOfSeq: (seq: number) => string;
  days: (n: number) => string;
  summary: string;
  noSummary: string;
  figures: string;
  card: {
    newCases: string;
    resolutionRate: string;
    mediationRate: string;
    onTimeRate: string;
    overdue: string;
    escalated: string;
    alerts: string;
    containment: string;
    resolved: string;
    openNow: string;
  };
  vsPrevious: (previous: string) => string;
  /** Instead of a change, when the log began after the previous period did (issue 22). */
  previousIncomplete: string;
  previousIncompleteSince: (since: string) => string;
  resolvedOfNew: (resolved: number, total: number) => string;
  ofResolved: (n: number) => string;
  ofReportIns: (n: number) => string;
  supervised: (n: number) => string;
  returned: (n: number) => string;
  openAlerts: (n: number) => string;
  sections: {
    trend: string;
    categories: string;
    sources: string;
    streets: string;
    tiers: string;
    communities: string;
    rising: string;
    departments: string;
    alerts: string;
    outcomes: string;
  };
  chart: { daily: string; thisPeriod: string; previousPeriod: string; byCategory: string; bySource: string; byStreet: string; tiers: string };
  col: {
    name: string;
    count: string;
    previous: string;
    change: string;
    street: string;
    community: string;
    dept: string;
    assigned: string;
    onTimeRate: string;
    meanReportMinutes: string;
    meanResolveHours: string;
    resolved: string;
    overdue: string;
    escalated: string;
    level: string;
    rule: string;
    outcome: string;
    share: string;
    raisedAt: string;
    place: string;
    alert: string;
    status: string;
  };
  redAlerts: string;
  /** The overdue, supervised and escalated assignments (dispatch.items). */
  items: {
    title: string;
    none: string;
    /** More than listed: "共 N 项，列出前 50 项". */
    cut: (total: number, shown: number) => string;
    col: { caseId: string; category: string; place: string; dept: string; whistledAt: string; dueAt: string; kinds: string; tier: string; status: string };
    role: Record<AssignmentRole, string>;
    kind: Record<ReportDispatchItem['kinds'][number], string>;
    stage: Record<Stage, string>;
    /** The kinds and the stages, as the 情况 cell says them. */
    situation: (kinds: string[], stages: string[]) => string;
    resolved: string;
    open: string;
  };
  alertStatus: Record<AlertStatus, string>;
  none: string;
  noData: string;
  caseKind: Record<CaseKind, string>;
  outcome: Record<Outcome, string>;
  tier: Record<Tier, string>;
  level: Record<AlertLevel, string>;
  alertOutcome: Record<'whistled' | 'closedByOfficer' | 'autoClosed' | 'acknowledged' | 'open', string>;
  dispatch: string;
  resolvedLine: (resolved: number, previous: number, openNow: number) => string;
  dispatchLine: (d: { whistles: number; assignments: number; reportedIn: number; onTime: number }) => string;
  footer: string;
}

/** The vocabulary's labels in one language (server/labels.ts). */
const vocabularyIn = (lang: ReportLang) => ({
  alertStatus: labelsIn(alertStatusLabels, lang),
  caseKind: labelsIn(kindLabels, lang),
  outcome: labelsIn(outcomeLabels, lang),
  tier: labelsIn(tierLabels, lang),
  level: labelsIn(levelLabels, lang),
});

const zh: ReportWords = {
  titleSubject: '矛盾纠纷',
  kind: { daily: '日报', weekly: '周报', monthly: '月度分析研判', range: '专题统计' },
  kindFile: { daily: '日报', weekly: '周报', monthly: '月度分析研判', range: '专题统计' },
  scope: '范围',
  period: '统计期间',
  previous: '对比期间',
  ongoing: '进行中，数据截至生成时间',
  sameStretch: '上期同期',
  generated: '生成时间',
  asOfSeq: (seq) => `截至事件 #${seq}`,
  days: (n) => `共${n}天`,
  summary: '综述',
  noSummary: '本期无明显变化。',
  figures: '主要指标',
  card: {
    newCases: '新增案件',
    resolutionRate: '化解率',
    mediationRate: '调解成功率',
    onTimeRate: '按时报到率',
    overdue: '超期',
    escalated: '升级',
    alerts: '预警',
    containment: '属地化解率',
    resolved: '期内办结',
    openNow: '当前在办',
  },
  vsPrevious: (previous) => `上期 ${previous}`,
  previousIncomplete: '上期数据不完整',
  previousIncompleteSince: (since) => `数据不完整：记录自 ${since} 起，不作比较`,
  resolvedOfNew: (resolved, total) => `新增中已化解 ${resolved}/${total}`,
  ofResolved: (n) => `办结 ${n} 件`,
  ofReportIns: (n) => `报到 ${n} 次`,
  supervised: (n) => `督办 ${n} 次`,
  returned: (n) => `退回 ${n} 次`,
  openAlerts: (n) => `未处置 ${n} 条`,
  sections: {
    trend: '每日新增',
    categories: '纠纷类型',
    sources: '案件来源',
    streets: '街道分布',
    tiers: '层级化解',
    communities: '热点社区',
    rising: '上升社区',
    departments: '部门履职',
    alerts: '风险预警',
    outcomes: '办结结果',
  },
  chart: { daily: '每日新增案件', thisPeriod: '本期', previousPeriod: '上期', byCategory: '纠纷类型（本期与上期）', bySource: '案件来源', byStreet: '各街道新增', tiers: '办结层级' },
  col: {
    name: '名称',
    count: '本期',
    previous: '上期',
    change: '变化',
    street: '街道',
    community: '社区',
    dept: '部门',
    assigned: '派单',
    onTimeRate: '按时报到率',
    meanReportMinutes: '平均报到(分钟)',
    meanResolveHours: '平均办结(小时)',
    resolved: '办结',
    overdue: '超期',
    escalated: '升级',
    level: '等级',
    rule: '规则',
    outcome: '处置情况',
    share: '占比',
    raisedAt: '发出时间',
    place: '地点',
    alert: '预警',
    status: '状态',
  },
  redAlerts: '红色预警',
  items: {
    title: '超期与升级事项',
    none: '本期无超期、督办或升级事项。',
    cut: (total, shown) => `共 ${total} 项，列出前 ${shown} 项`,
    col: { caseId: '案件', category: '类别', place: '地点', dept: '部门', whistledAt: '吹哨时间', dueAt: '应完成', kinds: '情况', tier: '层级', status: '状态' },
    role: { lead: '牵头', assist: '协办' },
    kind: { escalated: '升级', supervised: '督办', overdue: '超期' },
    stage: { reportIn: '报到', resolve: '办结' },
    situation: (kinds, stages) => `${kinds.join('、')}（${stages.join('、')}）`,
    resolved: '已办结',
    open: '未办结',
  },
  none: '—',
  noData: '暂无数据',
  ...vocabularyIn('zh'),
  alertOutcome: { whistled: '已吹哨', closedByOfficer: '人工关闭', autoClosed: '自动关闭', acknowledged: '已签收', open: '待处置' },
  dispatch: '吹哨报到',
  resolvedLine: (resolved, previous, openNow) => `期内办结 ${resolved} 件（上期 ${previous} 件），当前在办 ${openNow} 件。`,
  dispatchLine: (d) => `吹哨 ${d.whistles} 次，派单 ${d.assignments} 个，报到 ${d.reportedIn} 次，其中按时 ${d.onTime} 次。`,
  footer: '本报告由诉源治理指挥中心根据事件日志自动生成，数据截至所示事件。',
};

const en: ReportWords = {
  titleSubject: 'Disputes',
  kind: { daily: 'Daily report', weekly: 'Weekly report', monthly: 'Monthly analysis', range: 'Report' },
  kindFile: { daily: 'daily', weekly: 'weekly', monthly: 'monthly', range: 'range' },
  scope: 'Scope',
  period: 'Period',
  previous: 'Compared with',
  ongoing: 'in progress: figures as of the time generated',
  sameStretch: 'the same stretch of the previous period',
  generated: 'Generated',
  asOfSeq: (seq) => `as of event #${seq}`,
  days: (n) => `${n} day${n === 1 ? '' : 's'}`,
  summary: 'Summary',
  noSummary: 'No notable change this period.',
  figures: 'Key figures',
  card: {
    newCases: 'New cases',
    resolutionRate: 'Resolution rate',
    mediationRate: 'Mediation rate',
    onTimeRate: 'On-time report-in',
    overdue: 'Overdue',
    escalated: 'Escalated',
    alerts: 'Alerts',
    containment: 'Tier containment',
    resolved: 'Resolved in period',
    openNow: 'Open now',
  },
  vsPrevious: (previous) => `previous ${previous}`,
  previousIncomplete: 'previous period incomplete',
  previousIncompleteSince: (since) => `incomplete: records begin ${since}, so no comparison`,
  resolvedOfNew: (resolved, total) => `${resolved} of ${total} new resolved`,
  ofResolved: (n) => `of ${n} resolved`,
  ofReportIns: (n) => `of ${n} report-ins`,
  supervised: (n) => `${n} supervised`,
  returned: (n) => `${n} returned`,
  openAlerts: (n) => `${n} open`,
  sections: {
    trend: 'New cases per day',
    categories: 'Categories',
    sources: 'Sources',
    streets: 'Streets',
    tiers: 'Resolution by tier',
    communities: 'Top communities',
    rising: 'Rising communities',
    departments: 'Departments',
    alerts: 'Risk alerts',
    outcomes: 'Outcomes',
  },
  chart: { daily: 'New cases per day', thisPeriod: 'This period', previousPeriod: 'Previous period', byCategory: 'Categories (this vs previous period)', bySource: 'Sources', byStreet: 'New cases by street', tiers: 'Resolved by tier' },
  col: {
    name: 'Name',
    count: 'This period',
    previous: 'Previous',
    change: 'Change',
    street: 'Street',
    community: 'Community',
    dept: 'Department',
    assigned: 'Assigned',
    onTimeRate: 'On-time rate',
    meanReportMinutes: 'Mean report-in (min)',
    meanResolveHours: 'Mean resolve (h)',
    resolved: 'Resolved',
    overdue: 'Overdue',
    escalated: 'Escalated',
    level: 'Level',
    rule: 'Rule',
    outcome: 'Outcome',
    share: 'Share',
    raisedAt: 'Raised',
    place: 'Place',
    alert: 'Alert',
    status: 'Status',
  },
  redAlerts: 'Red alerts',
  items: {
    title: 'Overdue and escalated work',
    none: 'No overdue, supervised or escalated work this period.',
    cut: (total, shown) => `${total} in all; the first ${shown} are listed.`,
    col: { caseId: 'Case', category: 'Category', place: 'Place', dept: 'Department', whistledAt: 'Whistled', dueAt: 'Due', kinds: 'What happened', tier: 'Tier', status: 'Status' },
    role: { lead: 'lead', assist: 'assist' },
    kind: { escalated: 'escalated', supervised: 'supervised', overdue: 'overdue' },
    stage: { reportIn: 'report-in', resolve: 'resolution' },
    situation: (kinds, stages) => `${kinds.join(', ')} (${stages.join(', ')})`,
    resolved: 'Resolved',
    open: 'Open',
  },
  none: '—',
  noData: 'No data',
  ...vocabularyIn('en'),
  alertOutcome: { whistled: 'Whistled', closedByOfficer: 'Closed by officer', autoClosed: 'Closed automatically', acknowledged: 'Acknowledged', open: 'Open' },
  dispatch: 'Whistle and report-in',
  resolvedLine: (resolved, previous, openNow) => `${resolved} cases resolved in the period (previous ${previous}); ${openNow} open now.`,
  dispatchLine: (d) => `${d.whistles} whistles, ${d.assignments} assignments, ${d.reportedIn} report-ins, ${d.onTime} of them on time.`,
  footer: 'Generated by the command centre from the event log; the figures are as of the event shown.',
};

export const reportWords: Record<ReportLang, ReportWords> = { zh, en };

/** A rate as printed everywhere in the report: one decimal, or a dash with none. */
export function formatRate(rate: number | null | undefined, lang: ReportLang): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return reportWords[lang].none;
  return `${(rate * 100).toFixed(1)}%`;
}

export function formatNumber(n: number | null | undefined, lang: ReportLang, digits = 0): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return reportWords[lang].none;
  return n.toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** "+3" / "−2" / "0" against the previous figure; for rates, the change in percentage points. */
export function formatChange(current: number | null | undefined, previous: number | null | undefined, lang: ReportLang, rate = false): string {
  if (current === null || current === undefined || previous === null || previous === undefined) return reportWords[lang].none;
  const delta = rate ? (current - previous) * 100 : current - previous;
  const shown = rate ? Math.abs(delta).toFixed(1) : String(Math.abs(delta));
  if (Number(shown) === 0) return rate ? (lang === 'zh' ? '持平' : '±0.0 pt') : '0';
  const sign = delta > 0 ? '+' : '−';
  return rate ? `${sign}${shown}${lang === 'zh' ? '个百分点' : ' pt'}` : `${sign}${shown}`;
}

/** The relative change as a percentage, or null when the previous figure was 0. */
export function relativeChange(current: number, previous: number): number | null {
  return previous === 0 ? null : (current - previous) / previous;
}

/** A local date (YYYY-MM-DD) as the report writes it: 2026年12月2日 / 2 Dec 2026. */
export function formatLocalDate(date: string, lang: ReportLang): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  if (lang === 'zh') return `${y}年${m}月${d}日`;
  const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][m - 1];
  return `${d} ${month} ${y}`;
}

/** An instant in the report's local time: 2026-12-03 08:15 (UTC+8). */
export function formatInstant(iso: string, tzOffsetMinutes: number): string {
  const local = new Date(Date.parse(iso) + tzOffsetMinutes * 60_000).toISOString();
  const sign = tzOffsetMinutes < 0 ? '−' : '+';
  const abs = Math.abs(tzOffsetMinutes);
  const zone = `UTC${sign}${Math.floor(abs / 60)}${abs % 60 ? `:${String(abs % 60).padStart(2, '0')}` : ''}`;
  return `${local.slice(0, 10)} ${local.slice(11, 16)} (${zone})`;
}

/** The localized name of a row: the data's zh/en. */
export function nameIn(name: { zh: string; en: string }, lang: ReportLang): string {
  return lang === 'zh' ? name.zh : name.en || name.zh;
}

/** The period as the title writes it: 2026年12月2日 / 2026年11月30日至12月6日 / 2026年12月 (Dec 2026). */
export function formatPeriod(kind: ReportKind, period: { from: string; to: string }, lang: ReportLang): string {
  if (kind === 'daily' || period.from === period.to) return formatLocalDate(period.from, lang);
  const [fy, fm] = period.from.split('-').map(Number) as [number, number];
  const [ty, tm, td] = period.to.split('-').map(Number) as [number, number, number];
  if (kind === 'monthly') {
    const month = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'][fm - 1];
    return lang === 'zh' ? `${fy}年${fm}月` : `${month} ${fy}`;
  }
  const span = lang === 'zh' ? `${formatLocalDate(period.from, lang)}至${ty !== fy ? `${ty}年` : ''}${tm}月${td}日` : `${formatLocalDate(period.from, lang)} – ${formatLocalDate(period.to, lang)}`;
  if (kind !== 'weekly') return span;
  const { year, week } = isoWeek(period.from);
  if (lang === 'en') return `Week ${week}, ${year} (${span})`;
  // The week's year is said already; the dates repeat it only where they leave it.
  const short = fy === year && ty === year ? `${Number(period.from.slice(5, 7))}月${Number(period.from.slice(8))}日至${tm}月${td}日` : span;
  return `${year}年第${week}周（${short}）`;
}
