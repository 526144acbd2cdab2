/**
 * One ledger row → the intake events it stands for: `case.reported` keyed on (source, ledger number), and
 * `case.resolved` (keyed on the same number with `#resolved`) when the row has an outcome. Each row is checked
 * with the real intake schema and the real intake decision against the live case index, so an import accepts
 * exactly what intake accepts; a problem becomes a RowError naming the row, the field and the column.
 */
import type { z } from 'zod';
import type { FieldError, IntakeEvent, IntakeEventInput } from '../../shared/intake.js';
import { intakeEventSchema, formatPath } from '../../shared/intake.js';
import type { ColumnMapping, ImportDefaults, LedgerField, RowError } from '../../shared/ledger.js';
import { lifecycle } from '../../shared/lifecycle.js';
import { utcDay } from '../../shared/time.js';
import type { DistrictData } from '../district-data.js';
import { decideIntake, sourceKeyOf, type CaseLookup } from '../domain/intake.js';
import type { Vocabulary } from './columns.js';

/** The resolution's own sourceRef: the ledger number and this suffix. */
export const RESOLVED_SUFFIX = '#resolved';

export interface RowContext {
  district: DistrictData;
  vocab: Vocabulary;
  tzOffsetMinutes: number;
  now: number;
  cases: CaseLookup;
  defaults: ImportDefaults;
  mapping: ColumnMapping;
  /** Column index of each mapped field. */
  columns: Partial<Record<LedgerField, number>>;
  /** Run the intake decision too (validation); the import leaves it to the Ingestor, which decides every batch. */
  decide: boolean;
}

export type RowPlan =
  | { ok: true; key: string; events: IntakeEvent[]; /** The case is in the log already and the row adds nothing. */ duplicate: boolean }
  | { ok: false; key?: string; errors: Array<Omit<RowError, 'row'>> };

/**
 * A local date-time as ledgers write it: `YYYY-MM-DD HH:mm[:ss[.SSS]]`, `YYYY/M/D`, `2026年10月3日`, an ISO time with a
 * zone, or an Excel serial day number. Epoch ms, or undefined when it is none of these.
 */
export function parseLocalTime(text: string, tzOffsetMinutes: number): number | undefined {
  const s = text.trim();
  if (!s) return undefined;
  if (/^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:?\d{2})$/i.test(s)) {
    const t = Date.parse(s);
    return Number.isNaN(t) ? undefined : t;
  }
  const m = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[\sT]+(\d{1,2})[:时](\d{1,2})(?:[:分](\d{1,2})(?:\.(\d{1,3}))?)?秒?)?$/.exec(s);
  if (m) {
    const [y, mo, d, h = '0', mi = '0', sec = '0', ms = '0'] = m.slice(1);
    const parts = [Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(sec), Number(ms.padEnd(3, '0'))] as const;
    // Not Date.UTC: it reads the years 0–99 as 1900–1999.
    const wall = new Date(utcDay(parts[0], parts[1], parts[2])).setUTCHours(parts[3], parts[4], parts[5], parts[6]);
    const back = new Date(wall);
    if (back.getUTCMonth() !== parts[1] || back.getUTCDate() !== parts[2] || parts[3] > 23 || parts[4] > 59 || parts[5] > 59) return undefined;
    return wall - tzOffsetMinutes * 60_000;
  }
  // An Excel serial day (1927–2119) written as a number, the way a date cell reads when its format is lost.
  if (/^\d{5}(\.\d+)?$/.test(s)) {
    const serial = Number(s);
    if (serial >= 10_000 && serial < 80_000) return Math.round((serial - 25_569) * 86_400_000) - tzOffsetMinutes * 60_000;
  }
  return undefined;
}

const PARTY_SEPARATORS = /[、,;，；\n]/;

function names(text: string): string[] {
  return text
    .split(PARTY_SEPARATORS)
    .map((n) => n.trim())
    .filter(Boolean);
}

/** Which ledger field an intake error path is about (`parties[2].name` by the party's role). */
function fieldOfPath(path: string, event: IntakeEventInput): LedgerField | undefined {
  const head = path.split(/[.[]/)[0];
  switch (head) {
    case 'streetCode':
      return 'street';
    case 'communityCode':
      return 'community';
    case 'caseSourceRef':
    case 'caseId':
    case 'sourceRef':
      return 'sourceRef';
    case 'parties': {
      const index = Number(/^parties\[(\d+)\]/.exec(path)?.[1]);
      const party = event.type === 'case.reported' ? event.parties?.[index] : undefined;
      return party?.role === 'respondent' ? 'respondent' : 'applicant';
    }
    case 'source':
    case 'kind':
    case 'category':
    case 'title':
    case 'description':
    case 'severity':
    case 'peopleInvolved':
    case 'reportedAt':
    case 'outcome':
    case 'resolvedAt':
      return head;
    default:
      return undefined;
  }
}

/** A cell's text quoted in an English message, cut at 40 characters. */
export const quoteEn = (s: string): string => `"${s.length > 40 ? `${s.slice(0, 40)}…` : s}"`;
/** A cell's text quoted in a Chinese message, cut at 40 characters. */
export const quoteZh = (s: string): string => `“${s.length > 40 ? `${s.slice(0, 40)}…` : s}”`;

/** The Chinese name of each ledger field, as the import wizard shows it. */
const FIELD_ZH: Record<LedgerField, string> = {
  sourceRef: '台账编号',
  source: '来源',
  reportedAt: '登记时间',
  kind: '案件类型',
  category: '纠纷类别',
  street: '街道',
  community: '社区',
  title: '标题',
  description: '情况描述',
  severity: '严重程度',
  peopleInvolved: '涉及人数',
  applicant: '申请人',
  respondent: '被申请人',
  outcome: '办理结果',
  resolvedAt: '办结时间',
};

const SOURCE_REF_CHARACTERS_ZH = '台账编号只能包含文字、数字、括号和 . : - / # _（不能有空格）';

/**
 * The Chinese wording of a problem the intake schema found (a zod issue), where it is plain which: too long, too
 * short or empty, out of range, characters a ledger number may not hold. Undefined for anything else.
 */
export function zhOfSchemaIssue(field: LedgerField, path: string, issue: z.core.$ZodIssue, resolution: boolean): string | undefined {
  const party = field === 'applicant' || field === 'respondent';
  const label = party && /\.name$/.test(path) ? `${FIELD_ZH[field]}姓名` : FIELD_ZH[field];
  switch (issue.code) {
    case 'too_big':
      if (issue.origin === 'string') {
        if (resolution && field === 'sourceRef') return `台账编号加上“${RESOLVED_SUFFIX}”后过长（最多 ${issue.maximum} 字）`;
        return `${label}过长（最多 ${issue.maximum} 字）`;
      }
      if (issue.origin === 'array' && path === 'parties') return `当事人过多（最多 ${issue.maximum} 人）`;
      if (issue.origin === 'number') return `${label}不能大于 ${issue.maximum}`;
      return undefined;
    case 'too_small':
      if (issue.origin === 'string') return `${label}为空`;
      if (issue.origin === 'number') return `${label}不能小于 ${issue.minimum}`;
      return undefined;
    case 'invalid_format':
      return field === 'sourceRef' ? SOURCE_REF_CHARACTERS_ZH : undefined;
    case 'invalid_value':
      return `${label}无法识别`;
    default:
      return undefined;
  }
}

/** The Chinese wording of a problem the intake decision found (by its English message), or undefined. */
export function zhOfDecision(field: LedgerField, message: string): string | undefined {
  if (message === 'must not be in the future') return `${FIELD_ZH[field]}不能晚于当前时间`;
  if (message === 'must not be before the case was reported') return '办结时间早于登记时间';
  const source = /^source "(.*)" cannot report a case$/.exec(message);
  if (source) return `来源${quoteZh(source[1]!)}不能登记案件`;
  const category = /^unknown category "(.*)"$/.exec(message);
  if (category) return `纠纷类别${quoteZh(category[1]!)}无法识别`;
  if (/ cannot be resolved again$/.test(message)) return '该案件当前的状态不能再办结';
  return undefined;
}

/** Reads one row into its intake events, or says what is wrong with it (every problem, not just the first). */
export function planRow(cells: readonly string[], ctx: RowContext): RowPlan {
  const errors: Array<Omit<RowError, 'row'>> = [];
  /** Every problem found here is written in English and in Chinese; `zh` is undefined only for intake's own. */
  const fail = (field: LedgerField, message: string, zh: string | undefined) =>
    errors.push({ field, ...(ctx.mapping[field] !== undefined && { column: ctx.mapping[field] }), message, ...(zh !== undefined && { zh }) });
  const cell = (field: LedgerField): string => {
    const i = ctx.columns[field];
    return i === undefined ? '' : (cells[i] ?? '').trim();
  };
  const quote = quoteEn;
  const notDateZh = (text: string) => `${quoteZh(text)}不是有效的日期时间（请写成 YYYY-MM-DD HH:mm 或 YYYY/M/D）`;
  const streetName = (code: string) => ctx.district.street(code)?.name ?? code;

  const sourceRef = cell('sourceRef');
  if (!sourceRef) fail('sourceRef', 'the ledger number is missing', '台账编号为空');

  const sourceText = cell('source');
  const source = sourceText ? ctx.vocab.source(sourceText) : ctx.defaults.source;
  if (!source) fail('source', `unknown source ${quote(sourceText)}`, `来源${quoteZh(sourceText)}无法识别`);

  const kindText = cell('kind');
  const kind = kindText ? ctx.vocab.kind(kindText) : ctx.defaults.kind;
  if (!kind) fail('kind', `unknown kind ${quote(kindText)}`, `案件类型${quoteZh(kindText)}无法识别`);

  const reportedText = cell('reportedAt');
  const reportedMs = parseLocalTime(reportedText, ctx.tzOffsetMinutes);
  if (!reportedText) fail('reportedAt', 'the date is missing', '登记时间为空');
  else if (reportedMs === undefined) fail('reportedAt', `${quote(reportedText)} is not a date (write YYYY-MM-DD HH:mm or YYYY/M/D)`, notDateZh(reportedText));

  const categoryText = cell('category');
  const category = categoryText ? ctx.vocab.category(categoryText) : undefined;
  if (!categoryText) fail('category', 'the category is missing', '纠纷类别为空');
  else if (!category) fail('category', `unknown category ${quote(categoryText)}`, `纠纷类别${quoteZh(categoryText)}无法识别`);

  const streetText = cell('street');
  const streetCode = streetText ? ctx.vocab.street(streetText) : undefined;
  if (!streetText) fail('street', 'the street is missing', '街道为空');
  else if (!streetCode) {
    const district = ctx.district.info.name.zh;
    fail('street', `unknown street ${quote(streetText)} in ${district}`, `街道${quoteZh(streetText)}不在${district}`);
  }

  const communityText = cell('community');
  let communityCode: string | undefined;
  if (!communityText) fail('community', 'the community is missing', '社区为空');
  else if (streetCode) {
    const found = ctx.vocab.community(communityText, streetCode);
    if (!found) fail('community', `unknown community ${quote(communityText)}`, `社区${quoteZh(communityText)}无法识别`);
    else if ('elsewhere' in found) {
      const here = streetName(streetCode);
      const there = streetName(found.elsewhere);
      fail('community', `community ${quote(communityText)} is not in street ${here} (it is in ${there})`, `社区${quoteZh(communityText)}不在${here}（属于${there}）`);
    } else communityCode = found.code;
  }

  if (!cell('title')) fail('title', 'the matter (title) is missing', '事项（标题）为空');

  const integer = (field: 'severity' | 'peopleInvolved', fallback: number): number | undefined => {
    const text = cell(field);
    if (!text) return fallback;
    const n = Number(text.replace(/[人级]$/, ''));
    if (!Number.isInteger(n)) {
      fail(field, `${quote(text)} is not a whole number`, `${FIELD_ZH[field]}${quoteZh(text)}不是整数`);
      return undefined;
    }
    return n;
  };
  const severity = integer('severity', ctx.defaults.severity);
  const peopleInvolved = integer('peopleInvolved', ctx.defaults.peopleInvolved);

  const outcomeText = cell('outcome');
  const outcome = outcomeText ? ctx.vocab.outcome(outcomeText) : undefined;
  if (outcomeText && !outcome) fail('outcome', `unknown outcome ${quote(outcomeText)}`, `办理结果${quoteZh(outcomeText)}无法识别`);
  const resolvedText = cell('resolvedAt');
  const resolvedMs = parseLocalTime(resolvedText, ctx.tzOffsetMinutes);
  if (resolvedText && resolvedMs === undefined) fail('resolvedAt', `${quote(resolvedText)} is not a date (write YYYY-MM-DD HH:mm or YYYY/M/D)`, notDateZh(resolvedText));
  if (outcomeText && !resolvedText) fail('resolvedAt', 'a row with an outcome needs the date it was resolved', '有办理结果的行需要办结时间');
  if (resolvedText && !outcomeText) fail('outcome', 'a row with a resolution date needs its outcome', '有办结时间的行需要办理结果');

  const key = source && sourceRef ? sourceKeyOf(source, sourceRef) : undefined;
  if (errors.length) return { ok: false, ...(key && { key }), errors };

  const parties = [
    ...names(cell('applicant')).map((name) => ({ role: 'applicant' as const, name })),
    ...names(cell('respondent')).map((name) => ({ role: 'respondent' as const, name })),
  ];
  const description = cell('description');
  const reported: IntakeEventInput = {
    type: 'case.reported',
    source: source!,
    sourceRef,
    kind: kind!,
    category: category!,
    title: cell('title'),
    ...(description && { description }),
    streetCode: streetCode!,
    communityCode: communityCode!,
    severity: severity!,
    peopleInvolved: peopleInvolved!,
    reportedAt: new Date(reportedMs!).toISOString(),
    parties,
  };
  const resolved: IntakeEventInput | undefined = outcome && {
    type: 'case.resolved',
    source: source!,
    sourceRef: `${sourceRef}${RESOLVED_SUFFIX}`,
    caseSourceRef: sourceRef,
    outcome,
    resolvedAt: new Date(resolvedMs!).toISOString(),
  };

  // The real intake schema: lengths, characters of the ledger number, party names…
  const events: IntakeEvent[] = [];
  for (const input of resolved ? [reported, resolved] : [reported]) {
    const parsed = intakeEventSchema.safeParse(input);
    if (parsed.success) {
      events.push(parsed.data);
      continue;
    }
    for (const issue of parsed.error.issues) {
      const path = formatPath(issue.path);
      const field = fieldOfPath(path, input) ?? 'sourceRef';
      const resolution = input.type === 'case.resolved';
      const message = resolution && field === 'sourceRef' ? `the ledger number with "${RESOLVED_SUFFIX}" ${issue.message}` : issue.message;
      fail(field, message, zhOfSchemaIssue(field, path, issue, resolution));
    }
  }
  if (errors.length) return { ok: false, key: key!, errors };

  // A case already in the log (same source and ledger number) adds nothing, unless the ledger closes a case the log
  // still has open.
  const existing = ctx.cases.bySourceKey(key!);
  let toDecide = events;
  if (existing) {
    const resolution = events[1];
    const resolutionKey = resolution && sourceKeyOf(resolution.source, resolution.sourceRef);
    if (!resolution || existing.resolvedBy === resolutionKey || !lifecycle.resolveExternal.includes(existing.status)) {
      return { ok: true, key: key!, events: [], duplicate: true };
    }
    toDecide = [resolution];
  }
  if (!ctx.decide) return { ok: true, key: key!, events: toDecide, duplicate: false };
  let n = 0;
  const decision = decideIntake(toDecide, { district: ctx.district, cases: ctx.cases, now: ctx.now, newId: () => `ledger-check-${n++}` }, () => '');
  if (!decision.ok) {
    for (const e of decision.errors as FieldError[]) {
      const field = fieldOfPath(e.path, toDecide[0]!) ?? 'sourceRef';
      fail(field, e.message, zhOfDecision(field, e.message));
    }
    return { ok: false, key: key!, errors };
  }
  return { ok: true, key: key!, events: toDecide, duplicate: false };
}
