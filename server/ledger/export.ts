/**
 * The ledger (台账) export: cases reported in a period, with their whole lifecycle, as an .xlsx streamed through
 * ExcelJS's WorkbookWriter (rows are written and let go as they go, so a year of cases never sits in memory as a
 * workbook). A totals sheet (汇总) first, then one sheet per calendar month of the period, rows by reporting time.
 *
 * Lifecycle facts come from the case index; the title and the parties are only in the log, read from the store in
 * pages (never one query per case). Personal data is masked as the desks show it: party names 张*丰, the title through
 * the one masking policy (shared/masking.ts) with the parties' own names; an export must never be a bulk unmasking.
 */
import type { Writable } from 'node:stream';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
// Loaded on the first export, not at start-up (it is one of the heaviest modules the server has).
import type ExcelJS from 'exceljs';
import type { CaseReportedData } from '../../shared/events.js';
import type { FieldError } from '../../shared/intake.js';
import type { LedgerExportQuery } from '../../shared/ledger.js';
import { caseTextMasker, maskName } from '../../shared/masking.js';
import { utcDay } from '../../shared/time.js';
import { isOpenStatus, outcomes, type Outcome } from '../../shared/vocabulary.js';
import type { CaseRecord } from '../domain/case-index.js';
import type { DistrictData } from '../district-data.js';
import type { EventStore } from '../store/event-store.js';
import { channelLabels, kindLabels, outcomeLabels, sourceLabels, statusLabels, tierLabels, type Lang } from '../labels.js';
import { ledgerColumns, yesNo } from './columns.js';

const DAY_MS = 86_400_000;
/** Events read per page when fetching the reports of a month's cases. */
export const REPORT_PAGE = 1000;
const DATE_FORMAT = 'yyyy-mm-dd hh:mm';
const YIELD_EVERY = 500;

export interface Period {
  /** Epoch ms of the local midnight starting `from`, and of the one after `to`. */
  start: number;
  end: number;
  months: Array<{ key: string; year: number; month: number; start: number; end: number }>;
}

/**
 * What is wrong with an export query beyond its shape: dates that are not calendar dates, unknown places or
 * categories, a community outside the street, more months than `maxMonths`. No errors: the period to export.
 */
export function checkExportQuery(q: LedgerExportQuery, district: DistrictData, tzOffsetMinutes: number, maxMonths: number): { errors: FieldError[]; period: Period } {
  const errors: FieldError[] = [];
  for (const key of ['from', 'to'] as const) {
    const t = Date.parse(`${q[key]}T00:00:00Z`);
    if (Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== q[key]) errors.push({ path: key, message: 'is not a calendar date' });
  }
  // No period of dates that are not dates: its month loop would never end (a month 13 ran the server out of memory).
  if (errors.length) return { errors, period: { start: 0, end: 0, months: [] } };
  if (q.street && !district.street(q.street)) errors.push({ path: 'street', message: `unknown street code ${q.street}` });
  const community = q.community ? district.community(q.community) : undefined;
  if (q.community && !community) errors.push({ path: 'community', message: `unknown community code ${q.community}` });
  if (community && q.street && community.streetCode !== q.street) errors.push({ path: 'community', message: `community ${q.community} is not in street ${q.street}` });
  if (q.category && !district.category(q.category)) errors.push({ path: 'category', message: `unknown category "${q.category}"` });
  const period = periodOf(q.from, q.to, tzOffsetMinutes);
  if (period.months.length > maxMonths) errors.push({ path: 'to', message: `an export covers at most ${maxMonths} months` });
  return { errors, period };
}

/** The period's bounds and calendar months, in local time (tz offset in minutes east of UTC). */
export function periodOf(from: string, to: string, tzOffsetMinutes: number): Period {
  const local = (date: string) => Date.parse(`${date}T00:00:00Z`) - tzOffsetMinutes * 60_000;
  const start = local(from);
  const end = local(to) + DAY_MS;
  if (!Number.isFinite(start) || !Number.isFinite(end)) throw new RangeError(`not a period of local dates: ${from} to ${to}`);
  const months: Period['months'] = [];
  let [year, month] = from.split('-').map(Number) as [number, number];
  for (;;) {
    const mStart = utcDay(year, month - 1, 1) - tzOffsetMinutes * 60_000;
    if (mStart >= end) break;
    const mEnd = utcDay(year, month, 1) - tzOffsetMinutes * 60_000;
    months.push({ key: `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}`, year, month, start: Math.max(mStart, start), end: Math.min(mEnd, end) });
    month++;
    if (month > 12) [year, month] = [year + 1, 1];
  }
  return { start, end, months };
}

export function selectCases(all: readonly CaseRecord[], q: LedgerExportQuery, period: Period, communitiesOf: (street: string) => readonly string[]): CaseRecord[] {
  const communities = q.street ? new Set(communitiesOf(q.street)) : undefined;
  const out: CaseRecord[] = [];
  for (const c of all) {
    const t = Date.parse(c.reportedAt);
    if (t < period.start || t >= period.end) continue;
    if (communities && !communities.has(c.communityCode)) continue;
    if (q.community && c.communityCode !== q.community) continue;
    if (q.category && c.category !== q.category) continue;
    if (q.kind && c.kind !== q.kind) continue;
    if (q.status && isOpenStatus(c.status) !== (q.status === 'open')) continue;
    out.push(c);
  }
  return out.sort((a, b) => Date.parse(a.reportedAt) - Date.parse(b.reportedAt) || a.seq - b.seq);
}

/** What the ledger shows of a report, already masked: kept small, so a year of cases fits in a few MB. */
export interface MaskedReport {
  title: string;
  applicant: string;
  respondent: string;
}

/**
 * The masked reports (`case.reported`) at these seqs, read from the log in pages of REPORT_PAGE events in one pass
 * in seq order: runs of wanted seqs cost one query per page, and a gap between them is skipped, never read.
 */
export async function readReports(store: EventStore, seqs: readonly number[]): Promise<Map<number, MaskedReport>> {
  const sorted = [...seqs].sort((a, b) => a - b);
  const wanted = new Set(sorted);
  const out = new Map<number, MaskedReport>();
  let i = 0;
  while (i < sorted.length) {
    const events = await store.readAfter(sorted[i]! - 1, REPORT_PAGE);
    if (events.length === 0) break;
    for (const e of events) if (e.type === 'case.reported' && wanted.has(e.seq)) out.set(e.seq, masked(e.data));
    const last = events[events.length - 1]!.seq;
    while (i < sorted.length && sorted[i]! <= last) i++;
  }
  return out;
}

function masked(report: CaseReportedData): MaskedReport {
  const of = (role: string) => report.parties.filter((p) => p.role === role).map((p) => maskName(p.name)).join('、');
  return { title: caseTextMasker(report.parties)(report.title), applicant: of('applicant'), respondent: of('respondent') };
}

export interface LedgerExport {
  query: LedgerExportQuery;
  period: Period;
  cases: readonly CaseRecord[];
  district: DistrictData;
  store: EventStore;
  tzOffsetMinutes: number;
  /** When the export was made (epoch ms). */
  now: number;
}

const words = {
  zh: {
    totals: '汇总',
    month: (y: number, m: number) => `${y}年${m}月`,
    title: (district: string) => `${district}诉源治理案件台账汇总`,
    period: (from: string, to: string) => `统计期间：${from} 至 ${to}`,
    filters: '筛选条件',
    exported: '导出时间',
    all: '全部',
    byMonth: '按月份',
    byCategory: '按纠纷类别',
    byStreet: '按街道',
    monthHead: '月份',
    reported: '登记',
    resolved: '办结',
    resolutionRate: '办结率',
    mediationRate: '调解成功率',
    total: '合计',
    note: '办结率 = 办结数 ÷ 登记数；调解成功率 = 调解成功数 ÷ 办结数。当事人姓名已脱敏。',
    open: '在办',
    closed: '已结',
  },
  en: {
    totals: 'Totals',
    month: (y: number, m: number) => `${y}-${String(m).padStart(2, '0')}`,
    title: (district: string) => `${district}: ledger of cases, totals`,
    period: (from: string, to: string) => `Period: ${from} to ${to}`,
    filters: 'Filters',
    exported: 'Exported at',
    all: 'all',
    byMonth: 'By month',
    byCategory: 'By category',
    byStreet: 'By street',
    monthHead: 'Month',
    reported: 'Reported',
    resolved: 'Resolved',
    resolutionRate: 'Resolution rate',
    mediationRate: 'Mediation rate',
    total: 'Total',
    note: 'Resolution rate = resolved ÷ reported; mediation rate = mediated ÷ resolved. Party names are masked.',
    open: 'Open',
    closed: 'Closed',
  },
} as const;

/** Print setup of every sheet: A4 landscape, fit to one page wide (as many pages tall as it takes). */
const PRINT_SETUP = { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 } as const;

export function sheetNames(lang: Lang, period: Period): string[] {
  return [words[lang].totals, ...period.months.map((m) => words[lang].month(m.year, m.month))];
}

export function exportFilename(lang: Lang, from: string, to: string): string {
  return `${lang === 'zh' ? '台账' : 'ledger'}_${from}_${to}.xlsx`;
}

/** Writes the whole workbook to `out` and ends it. */
export async function writeLedger(out: Writable, x: LedgerExport): Promise<void> {
  const { query: q, period, district } = x;
  const lang = q.lang;
  const w = words[lang];
  const wall = (iso: string | undefined) => (iso === undefined ? null : new Date(Date.parse(iso) + x.tzOffsetMinutes * 60_000));
  const label = <K extends string>(labels: Record<K, { zh: string; en: string }>, code: K | undefined) => (code === undefined ? '' : (labels[code]?.[lang] ?? code));
  const category = (code: string) => district.category(code)?.name[lang] ?? code;
  const street = (code: string) => {
    const s = district.street(code);
    return s ? (lang === 'en' ? (s.nameEn ?? s.name) : s.name) : code;
  };
  const community = (code: string) => district.community(code)?.name ?? code;
  const dept = (id: string) => district.departments.find((d) => d.id === id)?.name[lang] ?? id;

  const { default: Excel } = await import('exceljs');
  const workbook: ExcelJS.stream.xlsx.WorkbookWriter = new Excel.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  workbook.creator = district.info.name[lang];
  workbook.created = new Date(x.now);

  writeTotals(workbook, x, { category, street });

  const byMonth = new Map<string, CaseRecord[]>(period.months.map((m) => [m.key, []]));
  for (const c of x.cases) {
    const t = Date.parse(c.reportedAt);
    const m = period.months.find((mm) => t >= mm.start && t < mm.end);
    if (m) byMonth.get(m.key)!.push(c);
  }
  const reports = await readReports(x.store, x.cases.map((c) => c.seq));
  for (const m of period.months) {
    const sheet = workbook.addWorksheet(w.month(m.year, m.month), {
      views: [{ state: 'frozen', ySplit: 1 }],
      // Printed as centres file a ledger: A4 landscape, one page wide, the header row on every page.
      pageSetup: { ...PRINT_SETUP, printTitlesRow: '1:1' },
    });
    sheet.columns = ledgerColumns.map((c) => ({ key: c.key, width: c.width, ...(c.date && { style: { numFmt: DATE_FORMAT } }) }));
    // The filter buttons span the header and every row written below it (the streaming writer knows the count up front).
    sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1 + byMonth.get(m.key)!.length, column: ledgerColumns.length } };
    const header = sheet.addRow(ledgerColumns.map((c) => c[lang]));
    header.font = { bold: true };
    header.commit();
    const cases = byMonth.get(m.key)!;
    for (let i = 0; i < cases.length; i++) {
      // Writing a row is synchronous work: let other requests in now and then.
      if (i % YIELD_EVERY === YIELD_EVERY - 1) await yieldToLoop();
      const c = cases[i]!;
      const report = reports.get(c.seq);
      const whistles = [...(c.previousWhistles ?? []), ...(c.whistle ? [c.whistle] : [])];
      const last = whistles[whistles.length - 1];
      const lead = last?.assignments.find((a) => a.role === 'lead');
      const assignments = whistles.flatMap((wh) => wh.assignments);
      const ref = c.sourceKey?.startsWith(`${c.source}:`) ? c.sourceKey.slice(c.source.length + 1) : (c.sourceKey?.slice(c.sourceKey.indexOf(':') + 1) ?? '');
      sheet
        .addRow({
          no: i + 1,
          caseId: c.id,
          source: label(sourceLabels, c.source),
          sourceRef: ref,
          reportedAt: wall(c.reportedAt),
          kind: label(kindLabels, c.kind),
          category: category(c.category),
          street: street(c.streetCode),
          community: community(c.communityCode),
          title: report?.title ?? '',
          applicant: report?.applicant ?? '',
          respondent: report?.respondent ?? '',
          people: c.peopleInvolved,
          severity: c.severity,
          tier: label(tierLabels, c.tier),
          channel: label(channelLabels, c.channel),
          whistledAt: wall(whistles[0]?.whistledAt),
          lead: lead ? dept(lead.deptId) : '',
          assists: last ? last.assignments.filter((a) => a.role === 'assist').map((a) => dept(a.deptId)).join('、') : '',
          reportedInAt: wall(lead?.reportedAt),
          onTime: lead?.late === undefined ? '' : (lead.late ? yesNo.no : yesNo.yes)[lang],
          supervisions: whistles.length ? assignments.reduce((n, a) => n + a.supervised.length, 0) : null,
          escalations: whistles.length ? assignments.reduce((n, a) => n + a.escalated.length, 0) : null,
          resolvedAt: wall(c.resolvedAt),
          outcome: label(outcomeLabels, c.outcome),
          satisfaction: c.satisfaction ?? null,
          status: label(statusLabels, c.status),
        })
        .commit();
    }
    sheet.commit();
  }
  await workbook.commit();
}

function writeTotals(workbook: ExcelJS.stream.xlsx.WorkbookWriter, x: LedgerExport, names: { category: (c: string) => string; street: (c: string) => string }): void {
  const { query: q, period, district } = x;
  const lang = q.lang;
  const w = words[lang];
  const sheet = workbook.addWorksheet(w.totals, { pageSetup: { ...PRINT_SETUP } });
  const monthLabels = period.months.map((m) => w.month(m.year, m.month));
  sheet.columns = [{ width: 22 }, ...monthLabels.map(() => ({ width: 11 })), { width: 11 }, { width: 11 }, { width: 11 }, { width: 11 }];
  const bold = (values: unknown[]) => {
    const row = sheet.addRow(values);
    row.font = { bold: true };
    row.commit();
  };
  const plain = (values: unknown[], percentFrom?: number, strong = false) => {
    const row = sheet.addRow(values);
    if (strong) row.font = { bold: true };
    if (percentFrom !== undefined) for (let c = percentFrom; c <= values.length; c++) row.getCell(c).numFmt = '0.0%';
    row.commit();
  };
  const titleRow = sheet.addRow([w.title(district.info.name[lang])]);
  titleRow.font = { bold: true, size: 14 };
  titleRow.commit();
  plain([w.period(q.from, q.to)]);
  const filters = [
    q.street && `${lang === 'zh' ? '街道' : 'street'} ${names.street(q.street)}`,
    q.community && `${lang === 'zh' ? '社区' : 'community'} ${district.community(q.community)?.name ?? q.community}`,
    q.category && `${lang === 'zh' ? '纠纷类别' : 'category'} ${names.category(q.category)}`,
    q.kind && label(kindLabels, q.kind, lang),
    q.status && w[q.status],
  ].filter(Boolean);
  plain([`${w.filters}: ${filters.length ? filters.join('; ') : w.all}`]);
  plain([`${w.exported}: ${new Date(x.now + x.tzOffsetMinutes * 60_000).toISOString().slice(0, 16).replace('T', ' ')}`]);
  plain([]);

  const monthOf = (c: CaseRecord) => {
    const t = Date.parse(c.reportedAt);
    return period.months.findIndex((m) => t >= m.start && t < m.end);
  };
  const n = period.months.length;
  const reported = new Array<number>(n).fill(0);
  const resolved = new Array<number>(n).fill(0);
  const byOutcome = new Map<Outcome, number[]>(outcomes.map((o) => [o, new Array<number>(n).fill(0)]));
  const byCategory = new Map<string, number[]>(district.categories.map((c) => [c.code, new Array<number>(n).fill(0)]));
  const byStreet = new Map<string, number[]>(district.info.streets.map((s) => [s.code, new Array<number>(n).fill(0)]));
  const bump = (map: Map<string, number[]>, key: string, m: number) => {
    let counts = map.get(key);
    if (!counts) map.set(key, (counts = new Array<number>(n).fill(0)));
    counts[m]!++;
  };
  for (const c of x.cases) {
    const m = monthOf(c);
    if (m < 0) continue;
    reported[m]!++;
    if (c.outcome) {
      resolved[m]!++;
      byOutcome.get(c.outcome)![m]!++;
    }
    bump(byCategory, c.category, m);
    bump(byStreet, c.streetCode, m);
  }
  const sum = (a: readonly number[]) => a.reduce((s, v) => s + v, 0);
  const rate = (num: number, den: number) => (den === 0 ? null : num / den);

  bold([w.byMonth]);
  bold([w.monthHead, w.reported, w.resolved, ...outcomes.map((o) => outcomeLabels[o][lang]), w.resolutionRate, w.mediationRate]);
  const rateCol = 4 + outcomes.length;
  for (let m = 0; m < n; m++) {
    const mediated = byOutcome.get('mediated')![m]!;
    plain([monthLabels[m], reported[m], resolved[m], ...outcomes.map((o) => byOutcome.get(o)![m]), rate(resolved[m]!, reported[m]!), rate(mediated, resolved[m]!)], rateCol);
  }
  const totalMediated = sum(byOutcome.get('mediated')!);
  plain([w.total, sum(reported), sum(resolved), ...outcomes.map((o) => sum(byOutcome.get(o)!)), rate(sum(resolved), sum(reported)), rate(totalMediated, sum(resolved))], rateCol, true);
  plain([]);

  const table = (title: string, head: string, rows: Map<string, number[]>, name: (code: string) => string) => {
    bold([title]);
    bold([head, ...monthLabels, w.total]);
    for (const [code, counts] of rows) plain([name(code), ...counts, sum(counts)]);
    bold([w.total, ...reported, sum(reported)]);
    plain([]);
  };
  table(w.byCategory, lang === 'zh' ? '纠纷类别' : 'Category', byCategory, names.category);
  table(w.byStreet, lang === 'zh' ? '街道' : 'Street', byStreet, names.street);
  plain([w.note]);
  sheet.commit();
}

function label<K extends string>(labels: Record<K, { zh: string; en: string }>, code: K, lang: Lang): string {
  return labels[code]?.[lang] ?? code;
}
